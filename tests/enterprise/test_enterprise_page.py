"""The inspected enterprise's own page: token + USCC, limited tries; rectification reviewed by the department in
charge; objections answered (upheld → corrected result publicly noted); questions answered."""
import io
import re

from PIL import Image
from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.enterprise.helpers import jpeg_with_gps, pdf, published_with_follow_up
from tests.factories import department, directory_entities
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.stages.enterprise.models import Attachment, Objection, Rectification
from webapp.stages.review import parts as review_parts


def _open(client, record, uscc=None):
    token = csrf_token(client, f"/e/{record.token}")
    return client.post(f"/e/{record.token}", data={"uscc": uscc or record.entity.uscc, "csrf_token": token},
                       follow_redirects=True)


def _post(client, url, data, page):
    data = {**data, "csrf_token": csrf_token(client, page)}
    return client.post(url, data=data, content_type="multipart/form-data", follow_redirects=True)


def test_the_token_and_the_uscc_together_open_the_page(world, client):
    record, task = published_with_follow_up()
    first = client.get(f"/e/{record.token}").get_data(as_text=True)
    assert "统一社会信用代码" in first and record.entity.name not in first
    html = _open(client, record).get_data(as_text=True)
    assert record.entity.name in html and "整改中" in html and "发现问题待后续处理" in html
    assert "王伟" in html  # the team by name; nothing else of them
    for secret in (record.signature_sha, "38.87", "/media/"):
        assert secret not in html


def test_another_enterprises_uscc_or_a_guessed_token_is_refused_alike(world, client, app):
    record, _ = published_with_follow_up(0)
    other, _ = published_with_follow_up(1)
    html = _open(client, record, other.entity.uscc).get_data(as_text=True)
    assert "不匹配" in html and record.entity.name not in html and other.entity.name not in html
    html = _open(client, other, record.entity.uscc).get_data(as_text=True)
    assert "不匹配" in html and other.entity.name not in html
    guessed = type("R", (), {"token": "0" * 22, "entity": record.entity})
    html = _open(client, guessed).get_data(as_text=True)
    assert "不匹配" in html and record.entity.name not in html
    # opening one page opens nothing else
    _open(client, record)
    assert other.entity.name not in client.get(f"/e/{other.token}").get_data(as_text=True)


def test_tries_are_limited_per_token_and_then_even_the_right_uscc_waits(world, client):
    record, _ = published_with_follow_up()
    wrong = directory_entities(1, 5)[0].uscc
    for _ in range(5):
        assert "不匹配" in _open(client, record, wrong).get_data(as_text=True)
    html = _open(client, record).get_data(as_text=True)
    assert "尝试次数过多" in html and "整改中" not in html


def test_rectification_accepted_by_the_department_closes_the_follow_up_publicly(world, client, auth):
    record, task = published_with_follow_up()
    _open(client, record)
    html = _post(client, f"/e/{record.token}/rectify/{task.id}",
                 {"note": "已清理消防通道并张贴标识。", "files": [(io.BytesIO(jpeg_with_gps()), "整改.jpg"),
                                                          (io.BytesIO(pdf()), "说明.pdf")]},
                 f"/e/{record.token}").get_data(as_text=True)
    assert "整改材料已提交" in html and "待部门审核" in html
    rect = db.session.scalar(select(Rectification))
    files = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [f.content_type for f in files] == ["image/jpeg", "application/pdf"]
    assert not Image.open(io.BytesIO(storage().read(files[0].sha256))).getexif()  # re-encoded, no EXIF

    auth.login("jt_admin")  # another department: its handling pages do not know this one
    assert client.get(f"/handling/rectification/{rect.id}").status_code == 404
    assert client.get(f"/handling/file/{files[0].id}").status_code == 404
    auth.logout()
    auth.login("wj_admin")
    assert rect.record.entity.name in client.get("/handling/").get_data(as_text=True)
    assert client.get(f"/handling/file/{files[0].id}").headers["Content-Type"] == "image/jpeg"
    page = f"/handling/rectification/{rect.id}"
    html = _post(client, page, {"decision": "accept", "note": "现场复核属实"}, page).get_data(as_text=True)
    assert "后续监管已办结" in html
    db.session.expire_all()
    assert task.status == "closed" and "企业整改材料" in task.evidence
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"enterprise.rectification_submitted", "enterprise.rectification_accepted", "followup.close"} <= actions
    auth.logout()
    public = client.get(f"/public/enterprise/{record.entity.uscc}").get_data(as_text=True)
    assert "已办结" in public


def test_a_returned_rectification_needs_a_reason_and_the_enterprise_reads_it(world, client, auth):
    record, task = published_with_follow_up()
    _open(client, record)
    _post(client, f"/e/{record.token}/rectify/{task.id}", {"note": "已整改", "files": [(io.BytesIO(jpeg_with_gps()), "a.jpg")]},
          f"/e/{record.token}")
    rect = db.session.scalar(select(Rectification))
    auth.login("wj_admin")
    page = f"/handling/rectification/{rect.id}"
    assert "退回时请写明理由" in _post(client, page, {"decision": "return", "note": ""}, page).get_data(as_text=True)
    _post(client, page, {"decision": "return", "note": "照片看不清通道全貌"}, page)
    auth.logout()
    html = _open(client, record).get_data(as_text=True)
    assert "照片看不清通道全貌" in html and "提交整改材料" in html  # the task is open again for new evidence


def test_files_that_are_not_photos_or_plain_pdfs_are_refused_in_chinese_and_nothing_is_kept(world, client):
    record, task = published_with_follow_up()
    _open(client, record)
    page = f"/e/{record.token}"
    for name, data, message in (("x.jpg", b"MZ\x90\x00 not an image", "只能是照片"),
                                ("x.pdf", pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), "含有脚本"),
                                ("x.pdf", b"%PDF-1.4 truncated", "不完整")):
        html = _post(client, f"/e/{record.token}/rectify/{task.id}",
                     {"note": "已整改", "files": [(io.BytesIO(data), name)]}, page).get_data(as_text=True)
        assert message in html
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert db.session.scalar(select(func.count()).select_from(Rectification)) == 0


def test_an_upheld_objection_corrects_the_published_result_with_the_correction_shown(world, client, auth):
    record, task = published_with_follow_up()
    part = review_parts.part_of(record, department("weijian").id)
    _open(client, record)
    html = _post(client, f"/e/{record.token}/object/{part.id}",
                 {"reasons": "我单位已于检查前公示相关信息，附截图。", "files": [(io.BytesIO(jpeg_with_gps()), "s.jpg")]},
                 f"/e/{record.token}").get_data(as_text=True)
    assert "异议已提交" in html and "答复期限" in html
    obj = db.session.scalar(select(Objection))
    before = client.get(f"/v/{record.token}").get_data(as_text=True)
    assert "结果更正" not in before

    auth.login("wj_admin")
    page = f"/handling/objection/{obj.id}"
    html = _post(client, page, {"decision": "uphold", "answer": "经复核，企业已按规定公示，更正为未发现问题。",
                               "codes": ["no_problem", "follow_up"]}, page).get_data(as_text=True)
    assert "不能与其他结果同时选择" in html
    html = _post(client, page, {"decision": "uphold", "answer": "经复核，企业已按规定公示，更正为未发现问题。",
                                "codes": ["no_problem"]}, page).get_data(as_text=True)
    assert "异议成立，结果已更正" in html, re.findall(r'class="flash[^>]*>([^<]*)', html)
    auth.logout()
    db.session.expire_all()
    assert obj.status == "upheld" and part.result_codes == ["no_problem"] and part.status == "published"
    public = client.get(f"/v/{record.token}").get_data(as_text=True)
    assert "结果更正" in public and "经复核，企业已按规定公示" in public
    # The corrected result needs no follow-up: the task is ended (办结) with the correction as its evidence.
    assert task.department_id == part.department_id and task.status == "closed" and "无需后续处理" in task.evidence
    assert "处理中" not in public and "已办结" in public
    enterprise = client.get(f"/public/enterprise/{record.entity.uscc}").get_data(as_text=True)
    assert "经企业异议复核更正" in enterprise
    assert "enterprise.objection_upheld" in set(db.session.scalars(select(AuditEvent.action)))


def test_a_rejected_objection_gives_its_reason_and_a_late_one_is_refused(world, client, app, auth):
    record, task = published_with_follow_up()
    part = review_parts.part_of(record, department("renshe").id)
    _open(client, record)
    _post(client, f"/e/{record.token}/object/{part.id}", {"reasons": "不认可"}, f"/e/{record.token}")
    obj = db.session.scalar(select(Objection))
    auth.login("rs_admin")
    page = f"/handling/objection/{obj.id}"
    _post(client, page, {"decision": "reject", "answer": "检查记录有企业签字确认，异议不成立。"}, page)
    auth.logout()
    html = _open(client, record).get_data(as_text=True)
    assert "异议不成立" in html and "检查记录有企业签字确认" in html
    app.config["ENTERPRISE_OBJECTION_WORKDAYS"] = 0
    from datetime import timedelta
    part.published_at = part.published_at - timedelta(days=3)
    db.session.commit()
    html = _post(client, f"/e/{record.token}/object/{part.id}", {"reasons": "再次异议"}, f"/e/{record.token}")
    assert "期限已过" in html.get_data(as_text=True)


def test_a_question_is_answered_by_the_departments_reviewer_only(world, client, auth):
    record, _ = published_with_follow_up()
    _open(client, record)
    html = _post(client, f"/e/{record.token}/ask", {"department_id": department("jiaoti").id,
                                                    "text": "<b>整改</b>期限能否延长？"}, f"/e/{record.token}")
    html = html.get_data(as_text=True)
    assert "&lt;b&gt;整改&lt;/b&gt;" in html and "待答复" in html
    from webapp.stages.enterprise.models import Question
    q = db.session.scalar(select(Question))
    auth.login("rs_review")
    assert client.get(f"/handling/question/{q.id}").status_code == 404
    auth.logout()
    auth.login("jt_review")
    page = f"/handling/question/{q.id}"
    _post(client, page, {"answer": "可在期限届满前书面申请延期。"}, page)
    auth.logout()
    assert "可在期限届满前书面申请延期" in _open(client, record).get_data(as_text=True)


def test_the_rights_page_is_plain_and_public(world, client):
    html = client.get("/public/rights").get_data(as_text=True)
    assert "不少于两人" in html and "5 个工作日" in html and "20 个工作日" in html and "异议" in html
    assert re.search(r"被检查单位的义务和权利", html)
