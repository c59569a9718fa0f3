"""A record's team after dispatch: qualifications nobody holds, shortfalls the draw left, appointed experts."""
from webapp.core import audit
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain.status import OPEN, RecordStatus
from webapp.stages.directory.models import InspectorProfile
from webapp.stages.draw import ceremony
from webapp.stages.draw.ceremony import DrawRefused
from webapp.stages.records.models import InspectionRecord, RecordMember


def missing_items(items, departments: set[int], have: set[str]) -> list:
    """(department, item title, qualification) of the items of these departments that nobody in `have` holds."""
    return [(item.department, item.title, item.required_qualification) for item in items
            if item.department_id in departments and item.required_qualification
            and item.required_qualification not in have]



def missing_qualifications(record: InspectionRecord) -> list:
    """(department, item title, qualification) of the record's items that no team member is qualified for."""
    have = set()
    for m in record.members:
        profile = m.inspector or db.session.get(InspectorProfile, m.inspector_id)
        have.update(profile.qualifications or ())
    return missing_items(record.plan.items, {m.department_id for m in record.members if m.kind == "drawn"}, have)



def appoint_expert(record: InspectionRecord, profile: InspectorProfile, reason: str, user, ip=None):
    """The department admin appoints a professional (专业人员) to assist: an assignment, recorded with a reason."""
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DrawRefused("请写明选派理由（至少 4 个字）。")
    if profile.department_id != user.department_id:
        raise DrawRefused("只能选派本部门名录库中的人员。")
    if any(m.inspector_id == profile.id for m in record.members):
        raise DrawRefused(f"{profile.name} 已在该检查组中。")
    if profile.status != "active":
        raise DrawRefused(f"{profile.name} 目前不在岗，不能选派。")
    if record.status not in OPEN | {RecordStatus.RETURNED}:
        raise DrawRefused("该检查表已审核或公示，不能再选派人员。")
    member = RecordMember(inspector_id=profile.id, department_id=profile.department_id, kind="expert",
                          reason=reason[:300], appointed_by_id=user.id)
    record.members.append(member)
    db.session.flush()
    record.needs_expert = bool(missing_qualifications(record))
    record.understaffed = bool(shortfall(record))
    audit.record("record.appoint_expert", record, user=user, inspector=profile.certificate_no,
                 name=profile.name, reason=reason, still_needs_expert=record.needs_expert,
                 still_understaffed=record.understaffed)
    return member



def shortfall(record: InspectionRecord) -> dict[int, int]:
    """{department id: people still missing} for a team the draw left short, less the people appointed since."""
    drawn = ceremony.live_draw(record.plan_id, algo.INSPECTORS)
    if drawn is None or drawn.status != "executed":
        return {}
    codes = {code: dept_id for dept_id, code in ceremony.department_codes(record.plan).items()}
    out = {}
    for team in drawn.result["teams"]:
        if team["uscc"] == record.entity.uscc and team["short"]:
            dept_id = codes[team["department"]]
            appointed = sum(1 for m in record.members if m.kind == "expert" and m.department_id == dept_id)
            if team["short"] > appointed:
                out[dept_id] = team["short"] - appointed
    return out

