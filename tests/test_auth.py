import pytest
from sqlalchemy import select

from tests import factories
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.stages.accounts.models import User

from .conftest import csrf_token


@pytest.fixture
def people(app):
    """The office and an inspector (jt01), the departments the new accounts go to, and a roster entry of 卫健局
    without an account yet."""
    users = factories.accounts("office", "jt01")
    factories.department("renshe")
    factories.inspector("weijian", certificate_no="130606030030")
    db.session.commit()
    return users


def test_login_then_home_shows_the_role(people, auth):
    page = auth.login("office").get_data(as_text=True)
    assert "双随机办 · 待办" in page and "白冬" in page


def test_wrong_password_and_unknown_user_get_the_same_answer(people, auth):
    wrong = auth.login("office", "not-the-password")
    unknown = auth.login("nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "用户名或密码不正确。" in response.get_data(as_text=True)


def test_login_is_rate_limited_per_username(people, auth, app):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert auth.login("office", "guess").status_code == 401
    locked = auth.login("office")  # even the right password is refused while locked
    assert locked.status_code == 429
    assert "尝试次数过多" in locked.get_data(as_text=True)


def test_unknown_usernames_are_locked_the_same_way(people, auth, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        auth.login("ghost", "guess")
    assert auth.login("ghost", "guess").status_code == 429


def test_disabled_account_cannot_sign_in(people, auth):
    user = db.session.scalar(select(User).where(User.username == "jt01"))
    user.active = False
    db.session.commit()
    assert auth.login("jt01").status_code == 401


def test_form_without_csrf_token_is_rejected(people, client):
    response = client.post("/login", data={"username": "office", "password": "lianchi2023"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_logout_needs_a_post_with_token(people, auth, client):
    auth.login("office")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert auth.logout().status_code == 302
    assert client.get("/home").status_code == 302  # back to the login page


def test_login_does_not_redirect_to_another_site(people, client):
    token = csrf_token(client)
    response = client.post(
        "/login?next=//evil.example/", data={"username": "office", "password": "lianchi2023", "csrf_token": token}
    )
    assert response.headers["Location"] == "/home"


def test_inspector_gets_403_on_office_pages(people, auth, client):
    auth.login("jt01")
    assert client.get("/admin/users").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_office_admin_creates_a_user_in_the_page(people, auth, client):
    auth.login("office")
    token = csrf_token(client, "/admin/users")
    response = client.post("/admin/users", data={
        "csrf_token": token, "username": "wj02", "full_name": "新检查员", "password": "long-enough-1",
        "department": "weijian", "roles": ["inspector"], "certificate_no": "130606030030",
    }, follow_redirects=True)
    assert "已创建账号“wj02”" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == "wj02"))
    assert user.roles == {"inspector"} and user.department.code == "weijian"
    assert user.profile.certificate_no == "130606030030"
    assert user.check_password("long-enough-1") and user.password_hash != "long-enough-1"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.create")).detail["username"] == "wj02"


def test_creating_a_user_with_bad_input_explains_in_chinese(people, auth, client):
    auth.login("office")
    response = client.post("/admin/users", data={
        "csrf_token": csrf_token(client, "/admin/users"), "username": "office", "full_name": "重名",
        "password": "long-enough-1", "roles": ["office_admin"],
    })
    assert "用户名“office”已被使用。" in response.get_data(as_text=True)
    response = client.post("/admin/users", data={
        "csrf_token": csrf_token(client, "/admin/users"), "username": "lonely", "full_name": "无部门",
        "password": "long-enough-1", "roles": ["inspector"],
    })
    assert "须属于一个部门" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "lonely")) is None


def test_create_user_command(people, runner):
    result = runner.invoke(args=[
        "create-user", "--username", "rs09", "--name", "张三", "--role", "reviewer", "--department", "renshe",
        "--password", "another-secret",
    ])
    assert result.exit_code == 0, result.output
    assert "已创建用户 rs09（审核人）" in result.output
    user = db.session.scalar(select(User).where(User.username == "rs09"))
    assert user.check_password("another-secret") and user.roles == {"reviewer"}


def test_create_user_command_refuses_an_unknown_department(people, runner):
    result = runner.invoke(args=[
        "create-user", "--username", "x1", "--name", "某", "--role", "inspector", "--department", "nowhere",
        "--password", "another-secret",
    ])
    assert result.exit_code == 1 and "部门“nowhere”不存在" in result.output
