"""Sessions that end (issue 10 §2), tried as a user and as an attacker would: cookies copied before sign-out,
a password change or reset, or the account being disabled are refused afterwards; the cookies' attributes; the
password rules; sign-in costs one password hash whatever the name; a stranger's guesses lock only the stranger."""
from datetime import timedelta

import pytest
from flask import g
from sqlalchemy import select

from tests import factories
from webapp.core.extensions import db
from webapp.stages.accounts import passwords
from webapp.stages.accounts.models import User, UserSession

from .conftest import csrf_token as page_token

REMEMBER = "remember_token"
SESSION = "session"


@pytest.fixture
def people(app):
    users = factories.accounts("office", "jt01", "jt02")
    db.session.commit()
    return users


def csrf_token(client, url="/login"):
    """The token of this browser's own session: these tests use several browsers in one app context, whose `g`
    would otherwise hand one browser's cached token to the next."""
    g.pop("csrf_token", None)
    return page_token(client, url)


def sign_in(client, username, password=factories.PASSWORD, remember=False, ip="127.0.0.1", follow=False):
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, follow_redirects=follow, environ_base={"REMOTE_ADDR": ip})


def copy_of(app, client, *names):
    """Another browser holding copies of `client`'s cookies (an attacker who read them, or a backup)."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie to copy"
        other.set_cookie(name, cookie.value)
    return other


def user(username) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def signed_in_phone(app, username="jt01"):
    """A phone signed in with remember-me, and a thief's copy of its remember-me cookie."""
    phone = app.test_client()
    sign_in(phone, username, remember=True)
    return phone, copy_of(app, phone, REMEMBER)


def reset_password(client, username, password):
    """The office (signed in on `client`) resets `username`'s password."""
    return client.post(f"/admin/users/{user(username).id}/reset-password", data={
        "csrf_token": csrf_token(client, "/admin/users"), "password": password,
    }, follow_redirects=True)


def test_a_session_cookie_copied_before_sign_out_is_refused_after_it(app, people, client, auth):
    assert sign_in(client, "jt01").status_code == 302
    thief = copy_of(app, client, SESSION)
    assert thief.get("/api/field/tasks").status_code == 200
    assert thief.get("/api/field/session").status_code == 200
    auth.logout()
    assert thief.get("/api/field/tasks").status_code == 401
    assert thief.get("/api/field/session").get_json()["error"] == "请重新登录"
    page = thief.get("/home")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_remember_me_cookie_copied_before_sign_out_is_refused_after_it(app, people, client, auth):
    sign_in(client, "jt01", remember=True)
    thief = copy_of(app, client, REMEMBER)  # the remember-me cookie alone signs a fresh browser in…
    assert thief.get("/api/field/session").status_code == 200
    copied = client.get_cookie(REMEMBER).value
    auth.logout()
    assert client.get_cookie(REMEMBER) is None  # the browser that signed out dropped it
    thief2 = app.test_client()
    thief2.set_cookie(REMEMBER, copied)
    assert thief2.get("/api/field/tasks").status_code == 401       # …but not after sign-out
    assert thief.get("/api/field/tasks").status_code == 401        # nor the session it had made from it


def test_signing_out_ends_only_that_browser(app, people):
    phone, office_pc = app.test_client(), app.test_client()
    sign_in(phone, "jt01")
    sign_in(office_pc, "jt01")
    office_pc.post("/logout", data={"csrf_token": csrf_token(office_pc, "/home")})
    assert phone.get("/api/field/tasks").status_code == 200
    assert office_pc.get("/api/field/tasks").status_code == 401


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(app, people, client):
    sign_in(client, "jt01", remember=True)
    phone, stolen = signed_in_phone(app)
    response = client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account/password"), "current": factories.PASSWORD,
        "new": "莲池区现场检查2024", "again": "莲池区现场检查2024",
    }, follow_redirects=True)
    assert "密码已修改" in response.get_data(as_text=True)
    assert stolen.get("/api/field/tasks").status_code == 401
    assert phone.get("/api/field/tasks").status_code == 401
    assert client.get("/api/field/tasks").status_code == 200       # the browser that changed it goes on
    assert copy_of(app, client, REMEMBER).get("/api/field/tasks").status_code == 200  # with a fresh cookie
    assert sign_in(app.test_client(), "jt01").status_code == 401
    assert sign_in(app.test_client(), "jt01", "莲池区现场检查2024").status_code == 302


@pytest.mark.parametrize("new, again, message", [
    pytest.param("short-pw", "short-pw", "密码至少 10 位。", id="short"),
    pytest.param("jt01", "jt01", "密码至少 10 位。", id="the-username"),
    pytest.param("1234567890", "1234567890", "这个密码过于常见", id="digits"),
    pytest.param("Password123", "Password123", "这个密码过于常见", id="common"),
    pytest.param("good-but-different-1", "good-but-different-2", "两次输入的新密码不一致。", id="not-repeated"),
    pytest.param(factories.PASSWORD, factories.PASSWORD, "新密码不能与当前密码相同。", id="unchanged"),
])
def test_a_weak_new_password_is_refused_in_chinese(people, client, new, again, message):
    sign_in(client, "jt01")
    response = client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account/password"), "current": factories.PASSWORD,
        "new": new, "again": again,
    })
    assert response.status_code in (400, 422)
    assert message in response.get_data(as_text=True)
    assert client.get("/api/field/tasks").status_code == 200   # nothing changed, still signed in
    assert user("jt01").check_password(factories.PASSWORD)


def test_the_wrong_current_password_changes_nothing(people, client):
    sign_in(client, "jt01")
    response = client.post("/account/password", data={
        "csrf_token": csrf_token(client, "/account/password"), "current": "not-my-password",
        "new": "a-much-better-one", "again": "a-much-better-one",
    })
    assert "当前密码不正确。" in response.get_data(as_text=True)
    assert user("jt01").check_password(factories.PASSWORD)


def test_the_password_rules():
    assert passwords.problem(factories.PASSWORD, "jt01") is None  # the demo's password stays acceptable
    assert passwords.problem("jt01-jt01-", "jt01-jt01-") == "密码不能与用户名相同。"
    assert passwords.problem("QWERTYUIOP", "x") == "这个密码过于常见，容易被猜中，请换一个。"
    assert len(passwords.common_passwords()) >= 9990  # 10,000 lines; a few differ only by case
    assert {"123456", "password", "qwertyuiop", "1q2w3e4r5t"} <= passwords.common_passwords()


def test_the_office_resets_a_password_the_user_must_change_at_next_sign_in(app, people, client):
    phone, stolen = signed_in_phone(app)
    sign_in(client, "office")
    response = reset_password(client, "jt01", "temporary-2024-a")
    assert "已重置“jt01”的密码" in response.get_data(as_text=True)
    assert phone.get("/api/field/tasks").status_code == 401
    assert stolen.get("/api/field/tasks").status_code == 401

    again = app.test_client()
    response = sign_in(again, "jt01", "temporary-2024-a")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/password")
    assert again.get("/home").headers["Location"].startswith("/account/password")
    blocked = again.get("/api/field/tasks")
    assert blocked.status_code == 401 and blocked.get_json()["password_change"] is True
    page = again.get("/account/password").get_data(as_text=True)
    assert "管理员已重置您的密码" in page
    again.post("/account/password", data={
        "csrf_token": csrf_token(again, "/account/password"), "current": "temporary-2024-a",
        "new": "my-own-new-secret", "again": "my-own-new-secret",
    })
    assert again.get("/api/field/tasks").status_code == 200
    assert user("jt01").must_change_password is False


def test_the_office_cannot_reset_to_a_weak_password(people, client):
    sign_in(client, "office")
    response = reset_password(client, "jt01", "iloveyou")
    assert "密码至少 10 位。" in response.get_data(as_text=True)
    assert user("jt01").check_password(factories.PASSWORD) and not user("jt01").must_change_password


def test_a_new_account_needs_an_acceptable_password(people, client):
    sign_in(client, "office")
    response = client.post("/admin/users", data={
        "csrf_token": csrf_token(client, "/admin/users"), "username": "newbie", "full_name": "新人",
        "password": "1qaz2wsx3edc", "roles": ["office_admin"],
    })
    assert "这个密码过于常见" in response.get_data(as_text=True)
    assert user("newbie") is None


def test_disabling_a_user_ends_their_sessions_for_good(app, people, client):
    phone, stolen = signed_in_phone(app)
    sign_in(client, "office")
    target_id = user("jt01").id
    toggle = lambda: client.post(f"/admin/users/{target_id}/toggle",  # noqa: E731
                                 data={"csrf_token": csrf_token(client, "/admin/users")})
    toggle()
    assert phone.get("/api/field/tasks").status_code == 401
    toggle()  # enabled again: the old cookies stay dead
    assert user("jt01").active
    assert phone.get("/api/field/tasks").status_code == 401
    assert stolen.get("/api/field/tasks").status_code == 401


def test_a_session_ends_after_thirty_days_even_if_remembered(app, people, client):
    sign_in(client, "jt01", remember=True)
    row = db.session.scalar(select(UserSession))
    assert row.remember and (row.expires_at - row.created_at) == timedelta(days=30)
    row.expires_at = row.created_at  # 30 days later
    db.session.commit()
    assert copy_of(app, client, REMEMBER).get("/api/field/tasks").status_code == 401
    assert client.get("/api/field/tasks").status_code == 401


def test_the_remember_me_cookie_is_http_only_lax_and_thirty_days(people, client):
    response = sign_in(client, "jt01", remember=True)
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    remember = cookies[REMEMBER]
    assert "HttpOnly" in remember and "SameSite=Lax" in remember and "Secure" not in remember
    assert "Max-Age=2592000" in remember or client.get_cookie(REMEMBER).expires is not None
    cookie = client.get_cookie(REMEMBER)
    assert cookie.max_age is None or cookie.max_age <= 30 * 24 * 3600
    assert "HttpOnly" in cookies[SESSION] and "SameSite=Lax" in cookies[SESSION]


def test_cookies_are_secure_behind_https(monkeypatch, tmp_path):
    from webapp.core import config

    monkeypatch.setenv("SPOTCHECK_HTTPS", "1")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    settings = config.load(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert settings["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    assert settings["REMEMBER_COOKIE_SAMESITE"] == "Lax" and settings["REMEMBER_COOKIE_HTTPONLY"]


def test_cookies_issued_before_this_change_name_no_session(app, people):
    """A cookie of the old form (the bare user id) signs nobody in: everyone signs in once more."""
    from flask_login.utils import encode_cookie

    with app.test_request_context():
        old = encode_cookie(str(user("jt01").id))
    browser = app.test_client()
    browser.set_cookie(REMEMBER, old)
    assert browser.get("/api/field/tasks").status_code == 401


# ---- sign-in time: one password hash for every name

@pytest.fixture
def hashes(monkeypatch):
    calls = []
    real = passwords.check_password_hash

    def counted(pwhash, password):
        calls.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(passwords, "check_password_hash", counted)
    return calls


@pytest.mark.parametrize("username, password", [
    ("jt01", "wrong-password"),       # a real account, wrong password
    ("nobody-at-all", "wrong-password"),  # no such account
    ("jt02", factories.PASSWORD),     # disabled below: the right password, refused
    ("jt01", factories.PASSWORD),     # the right one
])
def test_sign_in_checks_exactly_one_password_hash_whoever_asks(people, client, hashes, username, password):
    user("jt02").active = False
    db.session.commit()
    sign_in(client, username, password)
    assert len(hashes) == 1
    if username == "nobody-at-all":
        assert hashes[0] == passwords._dummy_hash()  # the same kind of hash as a real one, same cost
        assert hashes[0].split("$")[0] == passwords.generate_password_hash("x").split("$")[0]


# ---- guessing: per (username, address) and per address, never per username alone

def test_a_stranger_failing_five_times_does_not_lock_the_real_user_out(app, people, client):
    stranger = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert sign_in(stranger, "jt01", "guess-guess", ip="203.0.113.9").status_code == 401
    assert sign_in(stranger, "jt01", factories.PASSWORD, ip="203.0.113.9").status_code == 429  # locked: the stranger
    phone = sign_in(client, "jt01", ip="10.8.0.23")      # the inspector, from their own phone
    assert phone.status_code == 302
    assert client.get("/api/field/tasks").status_code == 200


def test_an_address_guessing_many_usernames_is_slowed(app, people, client):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for n in range(4 * limit):
        sign_in(client, f"user{n}", "guess-guess", ip="198.51.100.7")
    assert sign_in(client, "office", ip="198.51.100.7").status_code == 429
    assert sign_in(app.test_client(), "office", ip="198.51.100.8").status_code == 302


# ---- the phone's sign-out sent later (it signed out without network)

def test_a_sign_out_sent_later_ends_that_session_only(app, people, client):
    sign_in(client, "jt01", remember=True)
    token = client.get("/api/field/session").get_json()["signout_token"]
    stolen = copy_of(app, client, REMEMBER)
    # Meanwhile the next inspector signs in on the same phone (the browser's cookie is theirs now).
    next_one = app.test_client()
    sign_in(next_one, "jt02")
    answer = next_one.post("/logout/later", json={"token": token})
    assert answer.status_code == 200 and answer.get_json() == {"signed_out": True}
    assert stolen.get("/api/field/tasks").status_code == 401
    assert next_one.get("/api/field/session").get_json()["user"]["username"] == "jt02"  # untouched
    assert next_one.post("/logout/later", json={"token": token}).status_code == 200  # sent twice: harmless
    assert next_one.post("/logout/later", json={"token": token + "x"}).status_code == 400
    assert next_one.post("/logout/later", json={"token": 5}).status_code == 400


def test_a_sign_out_sent_later_from_the_same_browser_drops_its_cookies(app, people, client):
    sign_in(client, "jt01", remember=True)
    token = client.get("/api/field/session").get_json()["signout_token"]
    assert client.post("/logout/later", json={"token": token}).status_code == 200
    assert client.get_cookie(REMEMBER) is None
    assert client.get("/api/field/tasks").status_code == 401


def test_a_request_sent_before_sign_in_and_answered_after_it_leaves_the_signed_in_cookie_alone(app, client, people):
    """The favicon asked for by the login page, answered after the sign-in (a slow phone, a busy server), wrote
    the visitor's cookie of before and so signed the user out. No request that changes nothing sets a cookie."""
    client.get("/login")
    before = client.get_cookie(SESSION).value
    assert sign_in(client, "office").status_code == 302
    signed_in = client.get_cookie(SESSION).value
    assert signed_in != before
    late = app.test_client()
    late.set_cookie(SESSION, before)
    for path in ("/favicon.ico", "/login", "/", "/sw.js", "/static/css/app.css"):
        answer = late.get(path)
        assert answer.status_code == 200, path
        assert answer.headers.getlist("Set-Cookie") == [], path
    assert client.get("/home").status_code == 200
