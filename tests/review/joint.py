"""Joint records for the per-department tests (谁抽查、谁录入、谁公示): built on tests/factories.py."""
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import department, record_for_review
from webapp.core.extensions import db
from webapp.domain.review import findings_digest
from webapp.stages.review.parts import parts_of

NO_PROBLEM, CORRECTED = "未发现问题", "发现问题已责令改正"
JIAOTI, RENSHE, WEIJIAN = "莲池区教育和体育局", "莲池区人社局", "莲池区卫健局"


def joint_record(departments=("jiaoti", "renshe"), failed=(), codes=("no_problem",), **kw):
    """A submitted joint record of these departments where only the `failed` departments' first check point is
    不符合, signed (hash) as the phone would."""
    record = record_for_review(departments=departments, codes=codes, fail=bool(failed), **kw)
    if failed:
        keep = {department(c).id for c in failed}
        for block in record.findings["departments"]:
            if block["department_id"] not in keep:
                for item in block["items"]:
                    for point in item["points"]:
                        point["result"], point["note"] = "pass", ""
        findings = dict(record.findings)
        record.findings = None
        db.session.flush()
        record.findings = findings
        record.findings_hash = findings_digest(findings, record.result_codes)
        db.session.commit()
    return record


def statuses(record) -> dict[str, str]:
    db.session.expire_all()
    return {p.department.code: p.status for p in parts_of(record)}


def part(record, code):
    return next(p for p in parts_of(record) if p.department.code == code)


def decide(client, record, action, comment="", department_code=None, codes=None):
    data = {"csrf_token": csrf_token(client, f"/review/records/{record.id}"), "action": action, "comment": comment}
    if department_code:
        data["department_id"] = str(department(department_code).id)
    if codes is not None:
        data["codes_given"] = "1"
        data["codes"] = list(codes)
    return client.post(f"/review/records/{record.id}/decision", data=data)


def decide_as(auth, client, username, record, action, comment="", **kw):
    """`username` signs in, decides their part, and signs out again; the decision's answer."""
    auth.login(username)
    answer = decide(client, record, action, comment, **kw)
    auth.logout()
    return answer


def publish(client, record, department_code=None):
    page = f"/publication/plans/{record.plan_id}"
    data = {"csrf_token": csrf_token(client, page)}
    if department_code:
        data["part"] = f"{record.id}:{department(department_code).id}"
    else:
        data["record"] = str(record.id)
    return client.post(f"/publication/plans/{record.plan_id}/publish", data=data, follow_redirects=True)


def amend(client, record, text, client_id, departments=None):
    body = {"text": text, "client_id": client_id}
    if departments is not None:
        body["departments"] = [department(c).id for c in departments]
    return client.post(f"/api/field/records/{record.client_uuid}/amendments", json=body,
                       headers={"X-CSRFToken": csrf_token(client, "/home")})


def user(username):
    from webapp.stages.accounts.models import User

    return db.session.scalar(select(User).where(User.username == username))
