"""The demo's published results: a few of jt01's records of the current plan, inspected today, taken through the
real services (images uploaded and verified, findings hashed and submitted as the phone does, approved by the
reviewers, published by the office), so that a visitor of `/public/` finds results, a QR that verifies and a
follow-up task. 谁抽查、谁录入、谁公示: each joint record is reviewed by each of its departments' reviewers and
published per department under its own 检查实施机关; on the second record the 人社局 reviewer first returns its part,
the team answers with a 补充说明 naming 人社局, and the 人社局 reviewer approves (the other approvals stand). The
third shows categories per department: 发现问题已责令改正 for 教体局, 未发现问题 for the others. `spotcheck demo`
calls it; the tests' demo leaves it out so that their counts stay their own.
"""
import hashlib
import io
import uuid

from PIL import Image, ImageDraw
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import findings as rules
from webapp.domain.status import RecordStatus
from webapp.stages.accounts.models import User
from webapp.stages.field import submit, tasks, uploads
from webapp.stages.publication import publishing
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import service as review

# (result codes, the check point that failed (department code) or None, signed?, remarks)
EXAMPLES = (
    (["no_problem"], None, True, "各项检查未发现问题。"),
    (["no_problem"], None, True, "办学许可证、收费公示、消防器材均符合要求。"),
    (["corrected"], "jiaoti", True, "消防器材过期，已当场责令教体局检查事项整改。"),
    (["follow_up", "not_disclosed"], "renshe", False, "劳动合同签订情况待核实，移交人社局后续处理。"),
)


def _png(width, height, draw) -> bytes:
    im = Image.new("RGB", (width, height), (255, 255, 255))
    draw(ImageDraw.Draw(im))
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def _photo(n: int) -> bytes:
    """A plain picture standing for a site photo (the demo has no camera)."""
    def scene(d):
        d.rectangle((0, 200, 640, 480), fill=(200, 190, 170))
        d.rectangle((60 + 40 * n, 60, 300 + 40 * n, 260), fill=(70, 110, 160))
        d.rectangle((400, 120, 560, 300), fill=(180, 60, 50))
    return _png(640, 480, scene)


def _signature(n: int) -> bytes:
    return _png(600, 240, lambda d: d.line([(30, 180), (120 + 9 * n, 60), (220, 170), (330, 50), (480, 160)],
                                           fill=(10, 10, 10), width=6))


def _upload(record, user, data: bytes, kind: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    outcome = uploads.upload(record, user, FileStorage(io.BytesIO(data), f"{kind}.png"), digest, kind, None)
    if outcome.status not in (200, 201):
        raise RuntimeError(f"演示图片上传失败：{outcome.body}")
    return digest


def _findings(record, failed_department, photo):
    departments = []
    for pd in record.plan.departments:
        items = []
        for item in record.plan.items_of(pd.department_id):
            fail = pd.department.code == failed_department and not items
            items.append({
                "plan_item_id": item.id, "method": item.methods[0],
                "points": [{"text": text, "result": "fail" if fail and i == 0 else "pass",
                            "note": "现场发现，已拍照留存" if fail and i == 0 else "",
                            "photos": [photo] if fail and i == 0 else []}
                           for i, text in enumerate(item.check_points)],
            })
        departments.append({"department_id": pd.department_id, "items": items})
    present = [m.inspector.certificate_no for m in record.members if m.kind == "drawn"]
    return {"departments": departments, "team": {"present": present, "uniform": True, "credentials_shown": True}}


REVIEWERS = {"jiaoti": "jt_review", "renshe": "rs_review", "weijian": "wj_review"}
RETURNED = 1  # the example whose 人社局 part is returned once, then answered
RETURN_COMMENT = "请补充说明劳动合同台账的核查情况。"
AMENDMENT = "已现场查阅劳动合同台账，12 名教职工均已签订书面劳动合同。"


def _review(record, users, inspector, returned: bool):
    """Each department's reviewer decides its own part; the 人社局 part of `returned` goes back once first."""
    from webapp.stages.accounts.models import Department

    codes = {d.id: d.code for d in db.session.scalars(select(Department))}
    if returned and users.get(REVIEWERS["renshe"]):
        review.decide(record, users[REVIEWERS["renshe"]], "return", RETURN_COMMENT)
        renshe = next(d for d, c in codes.items() if c == "renshe")
        review.add_amendment(record, users[inspector], AMENDMENT, str(uuid.uuid4()), [renshe])
    for part in review.review_parts.parts_of(record):
        reviewer = users.get(REVIEWERS.get(codes.get(part.department_id), ""))
        if reviewer is not None and part.status in ("submitted", "withdrawn"):
            review.decide(record, reviewer, "approve", "经审核，本部门检查事项记录完整。")


def run(plan, inspector: str = "jt01", reviewer: str | None = None, office: str = "office") -> list:
    names = (inspector, office, *REVIEWERS.values(), *((reviewer,) if reviewer else ()))
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(names)))}
    records = [r for r in tasks.member_records(users[inspector], statuses=(RecordStatus.DISPATCHED,)) if r.plan_id == plan.id]
    done = []
    for n, (codes, failed, signed, remarks) in enumerate(EXAMPLES):
        if n >= len(records):
            break
        record = records[n]
        user = users[inspector]
        photo = _upload(record, user, _photo(n), "photo")
        findings = dict(_findings(record, failed, photo), result_codes=sorted(codes), remarks=remarks)
        officers = [m.inspector.certificate_no for m in record.members if m.kind == "drawn"][:2]
        body = {
            "record_id": record.id,
            "inspected_on": clock.today().isoformat(),
            "checked_in_at": None, "checkin": None,
            "findings": findings, "result_codes": sorted(codes),
            "findings_hash": rules.findings_hash(findings, sorted(codes)),
            "signature_sha": _upload(record, user, _signature(n), "signature") if signed else None,
            "seal_sha": None,
            "refusal": None if signed else {"note": "法定代表人不在场，负责人拒绝签字，两名执法人员现场确认。",
                                            "confirmed_by": officers, "evidence": [photo]},
        }
        outcome = submit.submit(user, str(uuid.uuid4()), body)
        if outcome.status != 201:
            raise RuntimeError(f"演示检查表提交失败：{outcome.body}")
        record = db.session.get(InspectionRecord, record.id)
        _review(record, users, inspector, returned=n == RETURNED)
        done.append(record)
    publishing.publish(done, users[office], via="demo")
    db.session.commit()
    return done
