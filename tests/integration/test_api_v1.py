"""/api/v1 with an office's token: hashed, scoped, limited to the office's jurisdiction, revocable, audited;
cursor pages, ETags, one error shape."""
from datetime import timedelta

from sqlalchemy import func, select

from tests import factories
from tests.integration.conftest import TokenClient, issue
from webapp.core import clock
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.stages.accounts import jurisdictions
from webapp.stages.integration import tokens
from webapp.stages.integration.models import ApiToken


def test_a_token_is_shown_once_and_kept_only_as_its_hash(placed):
    token, raw = issue(("plans:read",))
    assert raw.startswith("sc_") and len(raw) > 40
    stored = db.session.get(ApiToken, token.id)
    assert raw not in (stored.token_hash, stored.prefix) and stored.prefix == raw[:10]
    assert tokens.authenticate(raw).id == token.id
    assert tokens.authenticate(raw + "x") is None


def test_every_call_is_audited_and_stamps_the_last_use(client, placed):
    token, raw = issue(("plans:read",))
    assert token.last_used_at is None
    answer = client.get("/api/v1/plans", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api.call"))
    assert event.object_id == str(token.id) and event.detail["path"] == "/api/v1/plans"
    assert event.user_id == factories.get_user("office").id


def test_no_token_a_wrong_one_or_a_revoked_one_answers_401_in_one_shape(client, placed):
    token, raw = issue()
    for headers in ({}, {"Authorization": "Bearer sc_nonsense"}, {"Authorization": raw}):
        answer = client.get("/api/v1/plans", headers=headers)
        assert answer.status_code == 401
        assert answer.json["code"] == "unauthorized" and "令牌" in answer.json["error"]
    tokens.revoke(token)
    db.session.commit()
    assert client.get("/api/v1/plans", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_a_scope_not_granted_is_refused(client, placed):
    _, raw = issue(("results:read",))
    answer = client.get("/api/v1/plans", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 403 and answer.json["code"] == "scope_missing" and "plans:read" in answer.json["error"]


def test_a_token_sees_only_its_jurisdiction_and_below(client, placed, home):
    other = jurisdictions.ensure_chain(jurisdictions.HEBEI, jurisdictions.BAODING, jurisdictions.JINGXIU)
    _, raw = issue(jurisdiction_id=other.id)
    elsewhere = TokenClient(client, raw)
    assert elsewhere.get("/api/v1/plans").json["items"] == []
    assert elsewhere.get(f"/api/v1/plans/{placed.current.id}").status_code == 404
    assert elsewhere.get(f"/api/v1/entities/{placed.entities[0].uscc}").status_code == 404
    _, raw = issue(jurisdiction_id=jurisdictions.by_code("130600").id)  # the city sees its districts
    city = TokenClient(client, raw)
    assert {p["id"] for p in city.get("/api/v1/plans").json["items"]} == {placed.old.id, placed.current.id}


def test_lists_page_by_cursor_without_gaps_or_repeats(api, placed):
    seen, url = [], "/api/v1/entities?limit=7"
    while url:
        body = api.get(url).json
        assert len(body["items"]) <= 7
        seen += [e["uscc"] for e in body["items"]]
        url = f"/api/v1/entities?limit=7&cursor={body['next_cursor']}" if body["next_cursor"] else None
    assert sorted(seen) == sorted(e.uscc for e in placed.entities) and len(set(seen)) == len(seen)


def test_an_unchanged_answer_is_304_by_its_etag(api, placed):
    first = api.get("/api/v1/plans")
    tag = first.headers["ETag"]
    again = api.get("/api/v1/plans", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert api.get("/api/v1/plans", headers={"If-None-Match": '"other"'}).status_code == 200


def test_bad_parameters_are_told_in_chinese_with_a_stable_code(api, placed):
    for url, code in (("/api/v1/plans?limit=0", "invalid_parameter"), ("/api/v1/plans?from=2023-13-01",
                      "invalid_parameter"), ("/api/v1/plans?cursor=%%%", "invalid_cursor"),
                      ("/api/v1/results?jurisdiction=abc", "invalid_parameter")):
        answer = api.get(url)
        assert answer.status_code == 400, url
        assert answer.json["code"] == code and any("\u4e00" <= c <= "\u9fff" for c in answer.json["error"])


def test_filters_by_date_and_department(api, placed):
    old = placed.old
    items = api.get(f"/api/v1/plans?to={(old.window_end).isoformat()}").json["items"]
    assert [p["id"] for p in items] == [old.id]
    dept = factories.department("weijian")
    assert {p["id"] for p in api.get(f"/api/v1/plans?department={dept.id}").json["items"]} == {old.id, placed.current.id}
    assert api.get("/api/v1/plans?department=999999").json["items"] == []


def test_the_manifest_stays_secret_until_the_window_closes(api, placed):
    d = factories.entity_draw(placed.current)
    body = api.get(f"/api/v1/draws/{d.id}/manifest").json
    assert body["disclosed"] is False and body["manifest"] is None
    assert body["summary"]["manifest_sha256"] == d.manifest_sha256
    assert "selected" not in str(body["summary"]) and placed.entities[0].uscc not in str(body)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "api.call")) == 1


def test_the_description_and_the_docs_page_need_no_token(client, placed):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0" and "/results" in spec["paths"]
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "GET /api/v1/results" in page and "results:read" in page and "cdn" not in page.lower()


def test_the_description_is_a_valid_openapi_31_document(client, app):
    from openapi_spec_validator import validate

    validate(client.get("/api/v1/openapi.json").json)


def test_clock_is_beijing_for_date_filters(api, placed):
    assert api.get(f"/api/v1/results?from={clock.today().isoformat()}&to="
                   f"{(clock.today() + timedelta(days=1)).isoformat()}").json == {"items": [], "next_cursor": None}


def test_the_office_issues_a_token_shown_once_and_revokes_it(client, auth, placed):
    from tests.conftest import csrf_token

    auth.login("office")
    page = client.post("/office/api-tokens/", data={"name": "保险公司对接", "scopes": ["results:read"],
                                                    "csrf_token": csrf_token(client, "/office/api-tokens/")})
    html = page.get_data(as_text=True)
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "保险公司对接"))
    raw = html.split('id="new-token"')[1].split(">")[1].split("<")[0]
    assert raw.startswith(token.prefix) and "只显示这一次" in html
    assert raw not in client.get("/office/api-tokens/").get_data(as_text=True)
    assert client.get("/api/v1/results", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    client.post(f"/office/api-tokens/{token.id}/revoke",
                data={"csrf_token": csrf_token(client, "/office/api-tokens/")})
    assert client.get("/api/v1/results", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_only_the_office_admin_keeps_tokens(client, auth, placed):
    auth.login("jt_admin")
    assert client.get("/office/api-tokens/").status_code == 403
