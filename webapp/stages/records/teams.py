"""A record's team after dispatch: qualifications nobody holds, shortfalls the draw left, appointed experts.

Every path that puts a person on a record holds 回避 and qualifications (issue 10 §3):
- the draw's matching leaves out the conflicts declared when it was prepared (`domain.draw.match_teams`), and
  dispatch (`dispatch.py`) refuses a draw whose team meets a conflict declared since (`conflicts_among`);
- an appointment here refuses a person with a declared conflict with the record's enterprise, a person whose
  certificate is not valid from today (or the window's start) to the window's end, and — when the appointment is
  meant to cover qualifications (the record lacks some and the appointee's department has no shortfall there to
  fill) — a person who holds none of the qualifications the record lacks. Filling a shortfall is about numbers:
  the draw itself does not match on qualifications, so neither does its completion.
"""
from sqlalchemy import select, tuple_

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain.status import OPEN, RecordStatus
from webapp.stages.directory.models import Conflict, InspectorProfile
from webapp.stages.draw import ceremony
from webapp.stages.draw.ceremony import DrawRefused
from webapp.stages.records.models import InspectionRecord, RecordMember


class AssignmentRefused(DrawRefused):
    """Putting this person on this record would break 回避 or leave a qualification uncovered (409)."""


def conflict_with(profile: InspectorProfile, entity_id: int) -> Conflict | None:
    return db.session.scalar(select(Conflict).where(Conflict.inspector_id == profile.id,
                                                    Conflict.entity_id == entity_id))


def conflicts_among(pairs) -> list[Conflict]:
    """The declared conflicts among (inspector id, entity id) pairs, in chunks (a draw dispatches thousands)."""
    pairs = sorted(set(pairs))
    found = []
    for start in range(0, len(pairs), 5_000):
        chunk = pairs[start:start + 5_000]
        found.extend(db.session.scalars(select(Conflict).where(
            tuple_(Conflict.inspector_id, Conflict.entity_id).in_(chunk)).order_by(Conflict.id)))
    return found


def check_assignable(record: InspectionRecord, profile: InspectorProfile, covering: set[str] | None = None):
    """Refuse (AssignmentRefused) to put `profile` on `record` when a conflict is declared between them, when the
    certificate does not cover the rest of the plan window, or when `covering` (the qualifications the appointment
    is meant to bring) is given and the person holds none of them."""
    conflict = conflict_with(profile, record.entity_id)
    if conflict is not None:
        raise AssignmentRefused(
            f"{profile.name}（执法证号 {profile.certificate_no}）与检查对象“{record.entity.name}”已申报回避"
            f"（{conflict.reason}），不能安排到该检查表。")
    plan = record.plan
    start = max(plan.window_start, clock.today())
    if not profile.valid_throughout(start, plan.window_end):
        raise AssignmentRefused(
            f"{profile.name} 的执法证件有效期未覆盖本次检查期（至 {plan.window_end.isoformat()}），不能选派。")
    if covering:
        held = set(profile.qualifications or ())
        if not held & covering:
            raise AssignmentRefused(
                f"{profile.name} 不具备该检查表缺少的资格（{'、'.join(sorted(covering))}），不能为此选派。"
                "请选派具备相应资格的专业人员。")


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
    lacking = {q for _, _, q in missing_qualifications(record)}
    fills_shortfall = shortfall(record).get(profile.department_id, 0) > 0
    check_assignable(record, profile, covering=None if fills_shortfall else lacking)
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

