"""From the inspectors' draw to the 一企一表: executing it dispatches one record per enterprise with its teams."""
from sqlalchemy import select

from webapp.core import audit, events, jobs
from webapp.core.database import bulk_insert
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain.status import RecordStatus
from webapp.stages.accounts.models import User
from webapp.stages.directory.models import Entity, InspectorProfile
from webapp.stages.draw import ceremony, disclosure
from webapp.stages.draw.ceremony import DrawRefused
from webapp.stages.draw.models import Draw
from webapp.stages.plans.models import Plan
from webapp.stages.records.models import InspectionRecord, RecordMember
from webapp.stages.records.teams import conflicts_among, missing_items


def execute(draw: Draw, witness: str = "", user=None, ip=None, progress=None) -> Draw:
    """Reveal a draw (`ceremony.reveal`); an inspectors' draw then dispatches its records in the same transaction.
    `progress(done, total)` hears of the steps: revealed, records written, teams written."""
    progress = progress or (lambda done, total: None)
    ceremony.reveal(draw, witness, user, ip)
    progress(1, 3)
    if draw.kind == algo.INSPECTORS:
        plan = db.session.get(Plan, draw.plan_id)
        made = dispatch(plan, draw, progress)
        audit.record("draw.dispatch", draw, user=user, plan=plan.id, records=made)
    # told on commit, with only the public summary (counts, seed, digests): nothing that announces a visit
    events.emit("draw.executed", disclosure.public_summary(draw), jurisdiction_id=draw.plan.jurisdiction_id)
    return draw


def dispatch(plan: Plan, draw: Draw, progress=None) -> int:
    """One InspectionRecord per confirmed enterprise, with its team per department (status `dispatched`).

    Written with bulk inserts, not ORM objects: a 50,000-enterprise draw dispatches 50,000 records and
    250,000 team members within the executing request (38 s and 1.5 GB through the ORM; benchmarks/
    draw_inspectors_db.py)."""
    result = draw.result
    usccs = [u for u, _, _ in result["entities"]]
    entity_ids = {}
    for chunk in range(0, len(usccs), 10_000):  # PostgreSQL takes at most 65,535 parameters per statement
        entity_ids.update(db.session.execute(
            select(Entity.uscc, Entity.id).where(Entity.uscc.in_(usccs[chunk:chunk + 10_000]))).all())
    codes = ceremony.department_codes(plan)
    profiles = {cert: (pid, set(quals or ())) for pid, cert, quals in db.session.execute(
        select(InspectorProfile.id, InspectorProfile.certificate_no, InspectorProfile.qualifications)
        .where(InspectorProfile.department_id.in_(codes)))}
    dept_ids = {code: dept_id for dept_id, code in codes.items()}
    gone = sorted({c for t in result["teams"] for c in t["certificates"]} - set(profiles))
    if gone:
        raise DrawRefused(f"名录库中已找不到执法证号 {'、'.join(gone)}（准备后被修改或删除），请作废本次抽取并重新准备。")
    missing = sorted(set(usccs) - set(entity_ids))
    if missing:
        raise DrawRefused(f"名录库中已找不到检查对象 {'、'.join(missing)}，请作废本次抽取并重新准备。")
    # 回避: the matching left out the conflicts declared when the draw was prepared; one declared since then
    # (between preparation and execution) must not reach a team either. Refused, so the whole execution rolls
    # back and the draw can be abandoned and prepared again with the conflict in its parameters.
    late = conflicts_among((profiles[c][0], entity_ids[t["uscc"]]) for t in result["teams"] for c in t["certificates"])
    if late:
        named = "；".join(f"{c.inspector.name}（{c.inspector.certificate_no}）与 {c.entity.name}" for c in late[:5])
        raise DrawRefused(f"抽取准备后又申报了回避关系：{named}{'等' if len(late) > 5 else ''}。"
                          "请作废本次抽取并重新准备，使回避关系进入抽取参数。")
    teams: dict[str, list[dict]] = {}
    for team in result["teams"]:
        teams.setdefault(team["uscc"], []).append(team)
    items = list(plan.items)
    records = []
    for uscc in usccs:
        mine = teams.get(uscc, [])
        have = set().union(*(profiles[c][1] for t in mine for c in t["certificates"]))
        departments = {dept_ids[t["department"]] for t in mine if t["certificates"]}
        records.append({"plan_id": plan.id, "entity_id": entity_ids[uscc], "status": RecordStatus.DISPATCHED,
                        "understaffed": any(t["short"] for t in mine),
                        "needs_expert": bool(missing_items(items, departments, have))})
    bulk_insert(InspectionRecord.__table__, records)
    if progress is not None:
        progress(2, 3)
    ids = dict(db.session.execute(select(InspectionRecord.entity_id, InspectionRecord.id)
                                  .where(InspectionRecord.plan_id == plan.id)).all())
    leaders = result["leaders"]
    members = [
        {"record_id": ids[entity_ids[uscc]], "inspector_id": profiles[cert][0],
         "department_id": dept_ids[t["department"]], "kind": "drawn", "is_leader": leaders.get(uscc) == cert}
        for uscc in usccs for t in teams.get(uscc, []) for cert in t["certificates"]]
    bulk_insert(RecordMember.__table__, members)
    return len(records)



@jobs.task("draw.execute")
def execute_job(job, *, draw_id: int, witness: str = "", ip: str | None = None):
    """执行 as a background job (the office's button, webapp/faces/office/draw.py): a 50,000-enterprise inspectors'
    draw matches and dispatches for tens of seconds. All in one transaction, as `execute`; a refusal (a conflict
    declared since preparation…) fails the job with its reason and leaves the draw as it was."""
    draw = db.session.get(Draw, draw_id)
    if draw is None:
        raise DrawRefused("抽取不存在。")
    execute(draw, witness, db.session.get(User, job.user_id) if job.user_id else None, ip, progress=job.progress)
    db.session.commit()
    return {"draw": draw.id, "kind": draw.kind, "status": draw.status}


def start_execute(draw: Draw, witness: str, user, ip):
    """Enqueue 执行; pressed twice while it runs, the same job. A draw no longer prepared (executed, abandoned)
    gets a job of its own, which fails with the ceremony's reason."""
    key = f"draw.execute:{draw.id}" if draw.status == "prepared" else None
    return jobs.enqueue("draw.execute", {"draw_id": draw.id, "witness": witness, "ip": ip}, user=user,
                        jurisdiction_id=db.session.get(Plan, draw.plan_id).jurisdiction_id, key=key)
