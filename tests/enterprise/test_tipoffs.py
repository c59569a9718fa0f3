"""举报: filed without sign-in, routed to the matter's department, followed with receipt + code, handled by that
department only; the reporter's contact appears on no page but the handler's, and in no export."""
import io
import re

from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.enterprise.helpers import CONTACT, jpeg_with_gps, published_with_follow_up
from tests.factories import department, directory_entities
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.stages.directory.models import CheckItem
from webapp.stages.enterprise.models import Attachment, TipOff


def _item(code="weijian"):
    return db.session.scalars(select(CheckItem).where(CheckItem.department_id == department(code).id)).first()


def _file(client, **fields):
    data = {"enterprise": fields.get("enterprise", directory_entities(1)[0].uscc), "item_id": str(_item().id),
            "what": "看到该机构教室内堆放大量杂物，消防通道被堵。", "seen_on": "", "contact": CONTACT,
            "csrf_token": csrf_token(client, "/jubao/"), **{k: v for k, v in fields.items() if k != "enterprise"}}
    return client.post("/jubao/", data=data, content_type="multipart/form-data")


def _receipt(html):
    return (re.search(r'id="receipt">([^<]+)<', html).group(1), re.search(r'id="code">([^<]+)<', html).group(1))


def test_a_report_is_routed_to_the_matters_department_with_a_receipt_and_a_private_code(world, client):
    entity = directory_entities(1)[0]
    response = _file(client, files=[(io.BytesIO(jpeg_with_gps()), "现场.jpg")])
    assert response.status_code == 201
    html = response.get_data(as_text=True)
    receipt, code = _receipt(html)
    tip = db.session.scalar(select(TipOff))
    assert tip.receipt == receipt and tip.entity_id == entity.id and tip.department_id == department("weijian").id
    assert code not in tip.code_sha256 and len(code) == 10
    assert CONTACT not in html
    follow = client.post("/jubao/follow", data={"receipt": receipt, "code": code,
                                               "csrf_token": csrf_token(client, "/jubao/follow")})
    page = follow.get_data(as_text=True)
    assert "已登记，待处理" in page and entity.name in page and CONTACT not in page
    wrong = client.post("/jubao/follow", data={"receipt": receipt, "code": "WRONGCODE1",
                                              "csrf_token": csrf_token(client, "/jubao/follow")})
    assert "不正确" in wrong.get_data(as_text=True) and entity.name not in wrong.get_data(as_text=True)


def test_free_text_enterprise_and_escaping(world, client):
    response = _file(client, enterprise="<script>alert(1)</script>无名培训班", what="<img src=x onerror=alert(1)> 夜间上课")
    assert response.status_code == 201
    tip = db.session.scalar(select(TipOff))
    assert tip.entity_id is None
    from tests.conftest import Auth
    Auth(client).login("wj_admin")
    html = client.get(f"/handling/tipoff/{tip.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html and "<img src=x" not in html


def test_refusals_are_in_chinese_and_keep_what_was_typed(world, client, app):
    html = _file(client, what="太短").get_data(as_text=True)
    assert "不少于 10 字" in html and CONTACT in html  # the form again, filled (this visitor's own text)
    html = _file(client, files=[(io.BytesIO(b"GIF89a not allowed"), "a.gif")]).get_data(as_text=True)
    assert "只能是照片" in html
    app.config["ENTERPRISE_MAX_FILE_BYTES"] = 1024
    html = _file(client, files=[(io.BytesIO(jpeg_with_gps() + b"\0" * 2048), "big.jpg")]).get_data(as_text=True)
    assert "上限" in html
    assert db.session.scalar(select(func.count()).select_from(TipOff)) == 0
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_per_address_and_per_receipt_limits(world, client):
    for _ in range(5):
        assert _file(client).status_code == 201
    refused = _file(client)
    assert refused.status_code == 429 and "提交过于频繁" in refused.get_data(as_text=True)
    receipt = db.session.scalars(select(TipOff.receipt)).first()
    for _ in range(5):
        client.post("/jubao/follow", data={"receipt": receipt, "code": "X" * 10,
                                          "csrf_token": csrf_token(client, "/jubao/follow")})
    html = client.post("/jubao/follow", data={"receipt": receipt, "code": "X" * 10,
                                             "csrf_token": csrf_token(client, "/jubao/follow")}).get_data(as_text=True)
    assert "查询次数过多" in html


def test_only_the_handling_department_sees_the_contact_and_the_files_and_forwarding_hands_both_over(
        world, client, auth):
    _file(client, files=[(io.BytesIO(jpeg_with_gps()), "现场.jpg")])
    tip = db.session.scalar(select(TipOff))
    att = db.session.scalar(select(Attachment))
    assert client.get(f"/handling/file/{att.id}").status_code == 302  # to sign-in
    for other in ("jt_admin", "office"):
        auth.login(other)
        assert client.get(f"/handling/tipoff/{tip.id}").status_code in (403, 404)
        assert client.get(f"/handling/file/{att.id}").status_code in (403, 404)
        assert CONTACT not in client.get("/handling/").get_data(as_text=True)
        auth.logout()
    auth.login("wj_review")
    page = f"/handling/tipoff/{tip.id}"
    assert CONTACT in client.get(page).get_data(as_text=True)
    assert client.get(f"/handling/file/{att.id}").status_code == 200
    html = client.post(page, data={"action": "forward", "note": "", "csrf_token": csrf_token(client, page)},
                       follow_redirects=True).get_data(as_text=True)
    assert "写明理由" in html
    client.post(page, data={"action": "forward", "to_department_id": department("jiaoti").id,
                            "note": "属教育部门管辖", "csrf_token": csrf_token(client, page)})
    assert client.get(page).status_code == 404
    auth.logout()
    auth.login("jt_admin")
    assert CONTACT in client.get(page).get_data(as_text=True)
    client.post(page, data={"action": "targeted", "note": "已安排定向检查", "csrf_token": csrf_token(client, page)})
    client.post(page, data={"action": "close", "note": "经定向检查，责令整改。", "csrf_token": csrf_token(client, page)})
    db.session.expire_all()
    assert tip.status == "closed" and [e.action for e in tip.events] == ["forward", "targeted", "close"]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"tipoff.filed", "tipoff.forward", "tipoff.targeted", "tipoff.close"} <= actions


def test_the_office_counts_reports_per_jurisdiction_and_department(world, client, auth):
    _file(client)
    _file(client)
    auth.login("office")
    html = client.get("/handling/counts").get_data(as_text=True)
    assert department("weijian").name in html and ">2<" in html and CONTACT not in html


def test_the_contact_is_in_no_public_page_no_export_and_no_audit_detail(world, client, auth):
    record, _ = published_with_follow_up()
    _file(client, enterprise=record.entity.uscc)
    pages = ["/public/", f"/public/?q={record.entity.name[:6]}", f"/public/enterprise/{record.entity.uscc}",
             f"/v/{record.token}", "/jubao/", "/jubao/follow", "/public/rights"]
    for url in pages:
        assert CONTACT not in client.get(url).get_data(as_text=True), url
    for detail in db.session.scalars(select(AuditEvent.detail)):
        assert CONTACT[:11] not in str(detail)
    auth.login("office")
    from flask import current_app
    exports = [r.rule for r in current_app.url_map.iter_rules()
               if ("export" in r.rule or r.rule.endswith((".csv", ".xlsx", ".json"))) and not r.arguments]
    assert exports, "no export route found to search"
    for url in exports:
        body = client.get(url).get_data()
        assert CONTACT.encode() not in body and CONTACT[:11].encode() not in body, url
