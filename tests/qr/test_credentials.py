"""亮证: the inspector's credential QR, what the enterprise sees when scanning it, and revocation."""
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import approved_record, current_plan, directory_entities, old_plan, profile_of
from tests.qr.decode import decode_data_url, decode_png
from webapp.core import clock
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.stages.publication.models import InspectorCredential


def _credential(client, auth, username="jt01"):
    auth.login(username)
    response = client.get("/api/field/credential")
    assert response.status_code == 200
    return response.get_json()


def test_field_app_gets_a_cacheable_credential_whose_qr_decodes_to_the_verification_url(world, client, auth):
    data = _credential(client, auth)
    profile = profile_of("jt01")
    assert data["name"] == profile.name and data["certificate"] == profile.certificate_no
    assert data["department"] == "莲池区教育和体育局" and data["valid_to"] == profile.valid_to.isoformat()
    assert data["url"] == f"http://localhost/credential/{data['token']}"
    assert decode_data_url(data["qr_png_data_url"]) == [data["url"]]
    assert len(data["token"]) >= 20 and str(profile.id) != data["token"]
    assert client.get("/api/field/credential").get_json()["token"] == data["token"]  # stable until revoked


def test_credential_page_for_the_phone_and_its_png(world, client, auth):
    data = _credential(client, auth)
    html = client.get("/qr/credential").get_data(as_text=True)
    assert data["qr_png_data_url"] in html and "行政执法证件" in html
    assert decode_png(client.get("/qr/credential.png").data) == [data["url"]]


def test_credential_api_without_a_session_answers_json_401(world, client):
    response = client.get("/api/field/credential")
    assert response.status_code == 401
    assert response.get_json() == {"error": "请重新登录", "login": "/login?next=/field/"}


def test_account_without_roster_entry_has_no_credential(world, client, auth):
    auth.login("jt_review")
    response = client.get("/api/field/credential")
    assert response.status_code == 404 and "执法人员名录" in response.get_json()["error"]


def test_scanning_shows_name_department_certificate_and_validity_only(world, client, auth):
    data = _credential(client, auth)
    profile = profile_of("jt01")
    client.get("/logout")
    anonymous = client.application.test_client()
    html = anonymous.get(f"/credential/{data['token']}").get_data(as_text=True)
    assert "执法证件有效" in html
    for shown in (profile.name, profile.certificate_no, "莲池区教育和体育局", profile.valid_to.isoformat()):
        assert shown in html
    assert profile.phone not in html


def test_enterprise_checks_the_assignment_by_its_uscc_or_its_poster_token(world, client, auth):
    assigned, other, past = directory_entities(3)
    approved_record(current_plan(), assigned, team=("jt01", "rs01"))
    approved_record(old_plan(), past, team=("jt01", "rs01"))
    token = _credential(client, auth)["token"]
    public = client.application.test_client()
    html = public.get(f"/credential/{token}", query_string={"uscc": assigned.uscc.lower()}).get_data(as_text=True)
    assert "是：该执法人员在当前抽查计划" in html and assigned.name in html
    html = public.get(f"/credential/{token}", query_string={"e": assigned.checkin_token}).get_data(as_text=True)
    assert "是：" in html
    html = public.get(f"/credential/{token}", query_string={"uscc": other.uscc}).get_data(as_text=True)
    assert "否：未查到" in html and other.name in html
    html = public.get(f"/credential/{token}", query_string={"uscc": past.uscc}).get_data(as_text=True)
    assert "否：未查到" in html  # a plan that has ended assigns no one today


def test_the_credential_page_never_lists_the_inspectors_assignments(world, client, auth):
    assigned = directory_entities(1)[0]
    approved_record(current_plan(), assigned, team=("jt01", "rs01"))
    token = _credential(client, auth)["token"]
    html = client.application.test_client().get(f"/credential/{token}").get_data(as_text=True)
    assert assigned.name not in html and assigned.uscc not in html


def test_bad_uscc_gets_a_clear_message(world, client, auth):
    token = _credential(client, auth)["token"]
    html = client.get(f"/credential/{token}", query_string={"uscc": "12345"}).get_data(as_text=True)
    assert "请输入 18 位统一社会信用代码" in html
    html = client.get(f"/credential/{token}", query_string={"uscc": "91130606MA0000000X"}).get_data(as_text=True)
    assert "检查对象名录库中没有这个单位" in html


def test_unknown_credential_token_is_not_genuine(world, client):
    response = client.get("/credential/not-a-real-token")
    assert response.status_code == 404 and "不是本平台签发的执法证件" in response.get_data(as_text=True)


def test_expired_certificate_shows_as_expired(world, client, auth):
    token = _credential(client, auth)["token"]
    profile = profile_of("jt01")
    profile.valid_to = clock.today() - timedelta(days=1)
    db.session.commit()
    html = client.get(f"/credential/{token}").get_data(as_text=True)
    assert "执法证已过有效期" in html and "执法证件有效" not in html


def test_department_admin_revokes_and_the_old_code_shows_revoked(world, client, auth):
    entity = directory_entities(1)[0]
    approved_record(current_plan(), entity, team=("jt01", "rs01"))
    old = _credential(client, auth)["token"]
    auth.logout()
    auth.login("jt_admin")
    profile = profile_of("jt01")
    page = client.get("/qr/credentials").get_data(as_text=True)
    assert profile.name in page and "作废二维码" in page
    response = client.post(f"/qr/credentials/{profile.id}/revoke", follow_redirects=True,
                           data={"csrf_token": csrf_token(client, "/qr/credentials"), "reason": "手机遗失"})
    assert "已作废" in response.get_data(as_text=True)
    public = client.application.test_client()
    html = public.get(f"/credential/{old}", query_string={"uscc": entity.uscc}).get_data(as_text=True)
    assert "已作废" in html and "执法证件有效" not in html and "是：" not in html
    cred = db.session.scalar(select(InspectorCredential).where(InspectorCredential.token == old))
    assert cred.revoked_at is not None and cred.revoked_by.username == "jt_admin"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "credential.revoke"))
    assert event.detail["reason"] == "手机遗失"
    auth.logout()
    fresh = _credential(client, auth)["token"]
    assert fresh != old
    assert "执法证件有效" in public.get(f"/credential/{fresh}").get_data(as_text=True)


def test_another_departments_admin_cannot_revoke(world, client, auth):
    token = _credential(client, auth)["token"]
    auth.logout()
    auth.login("rs_admin")
    profile = profile_of("jt01")
    assert profile.name not in client.get("/qr/credentials").get_data(as_text=True)
    response = client.post(f"/qr/credentials/{profile.id}/revoke",
                           data={"csrf_token": csrf_token(client, "/qr/credentials")})
    assert response.status_code == 403
    cred = db.session.scalar(select(InspectorCredential).where(InspectorCredential.token == token))
    assert cred.revoked_at is None


def test_office_revokes_any_and_inspectors_cannot(world, client, auth):
    token = _credential(client, auth, "wj01")["token"]
    profile = profile_of("wj01")
    assert client.post(f"/qr/credentials/{profile.id}/revoke",
                       data={"csrf_token": csrf_token(client, "/home")}).status_code == 403
    auth.logout()
    auth.login("office")
    client.post(f"/qr/credentials/{profile.id}/revoke", data={"csrf_token": csrf_token(client, "/qr/credentials")})
    assert "已作废" in client.get(f"/credential/{token}").get_data(as_text=True)


def test_assignment_checks_are_rate_limited_per_credential_and_per_address(world, client, auth):
    """Trying USCC after USCC against one credential would reveal the draw's assignments ahead of the visit."""
    app = client.application
    token = _credential(client, auth)["token"]
    probes = [e.uscc for e in directory_entities(40)]
    per_credential = app.config["CREDENTIAL_CHECKS_PER_HOUR"]
    # Different addresses (a proxy-less test client reports REMOTE_ADDR as given): only the credential's limit.
    for i, uscc in enumerate(probes[:per_credential]):
        response = app.test_client().get(f"/credential/{token}", query_string={"uscc": uscc},
                                         environ_base={"REMOTE_ADDR": f"203.0.113.{i + 1}"})
        assert response.status_code == 200 and "核对次数过多" not in response.get_data(as_text=True)
    refused = app.test_client().get(f"/credential/{token}", query_string={"uscc": probes[-1]},
                                    environ_base={"REMOTE_ADDR": "198.51.100.7"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "核对次数过多，请一小时后再试" in html
    assert "执法证件有效" in html  # the credential itself is still shown
    # The page without a check is never limited.
    assert app.test_client().get(f"/credential/{token}").status_code == 200

    # One address trying many credentials hits the per-address limit.
    per_address = app.config["CREDENTIAL_CHECKS_PER_ADDRESS"]
    from webapp.stages.publication.credentials import active_credential

    tokens = [active_credential(profile_of(name)).token for name in ("jt02", "rs01", "wj01")]
    db.session.commit()
    seen = []
    for i in range(per_address + 1):
        response = app.test_client().get(f"/credential/{tokens[i % 3]}", query_string={"uscc": probes[i]},
                                         environ_base={"REMOTE_ADDR": "192.0.2.9"})
        seen.append(response.status_code)
    assert seen == [200] * per_address + [429]
