"""The draw ceremonies against the database: freeze, commit, execute, confirm, dispatch, appoint, deadlines.

Views and the CLI call these; the algorithm itself is `webapp.domain.draw`. Every change writes an audit event
and is committed by the caller's single `db.session.commit()`.
"""
import os
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update

from .. import audit
from ..domain import draw as algo
from ..domain.risk import LEVELS
from ..database import bulk_insert
from ..extensions import db
from ..models import (
    CalendarOverride, Conflict, Department, Draw, DrawConfirmation, DrawExclusion, Entity, InspectionRecord,
    InspectorProfile, Plan, RecordMember,
)
from ..models.base import utcnow
from ..workcal import current_calendar

BEIJING = timezone(timedelta(hours=8))
OPEN_RECORD_STATUSES = ("dispatched", "submitted")


class DrawRefused(Exception):
    """The action is not allowed now; the message (Chinese) says why."""


def beijing_today():
    return datetime.now(BEIJING).date()


# --- populations --------------------------------------------------------------------------------------------

def eligible_population(plan: Plan) -> list[tuple[str, str]]:
    """(uscc, risk) of the directory entities the plan may draw: SQL for the plain rules, Python for the annual
    report years, equivalent to `domain.eligibility.exclusion_reason(plan.rules, entity.facts()) is None`."""
    rules = plan.rules
    query = select(Entity.uscc, Entity.risk_level, Entity.annual_report_years).where(Entity.risk_level.in_(LEVELS))
    if rules.category:
        query = query.where(Entity.category == rules.category)
    if rules.registered_before:
        query = query.where(Entity.registered_on < rules.registered_before)
    if rules.statuses:
        query = query.where(Entity.status.in_(rules.statuses))
    year = rules.annual_report_year
    out = []
    for uscc, risk, years in db.session.execute(query):
        if year and year not in {int(y) for y in years.split(",") if y.strip().isdigit()}:
            continue
        out.append((uscc, risk))
    return out


def live_draw(plan_id: int, kind: str) -> Draw | None:
    return db.session.scalar(select(Draw).where(Draw.plan_id == plan_id, Draw.kind == kind, Draw.live == 1))


def draws_of(plan_id: int) -> list[Draw]:
    return db.session.scalars(select(Draw).where(Draw.plan_id == plan_id).order_by(Draw.id)).all()


def entity_draw(plan_id: int) -> Draw | None:
    d = live_draw(plan_id, algo.ENTITIES)
    return d if d is not None and d.status == "executed" else None


def _codes(plan: Plan) -> dict[int, str]:
    return {pd.department_id: pd.department.code for pd in plan.departments}


def confirmed_list(plan: Plan) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """After the departments' 比对和确认: the entities still on the list, and (uscc, department code) pairs a
    department excluded as 不属本部门监管 (that department only). Any other exclusion takes the entity off."""
    drawn = entity_draw(plan.id)
    if drawn is None:
        return [], []
    codes = _codes(plan)
    removed, not_ours = set(), {}
    for conf in drawn.confirmations:
        for ex in conf.exclusions:
            if ex.reason_code == "not_ours":
                not_ours.setdefault(ex.uscc, set()).add(codes[conf.department_id])
            else:
                removed.add(ex.uscc)
    everyone = set(codes.values())
    keep, skip = [], []
    for uscc, risk, *_ in drawn.result["selected"]:
        if uscc in removed or not_ours.get(uscc, set()) >= everyone:
            continue
        keep.append((uscc, risk))
        skip.extend((uscc, code) for code in sorted(not_ours.get(uscc, ())))
    return keep, skip


def pending_confirmations(plan: Plan) -> list[DrawConfirmation]:
    drawn = entity_draw(plan.id)
    return [c for c in drawn.confirmations if c.confirmed_at is None] if drawn else []


# --- ceremonies ---------------------------------------------------------------------------------------------

def prepare(plan: Plan, kind: str, user=None, ip=None) -> Draw:
    """Freeze the population and the parameters, and publish the digest and the commitment."""
    if kind not in algo.KINDS:
        raise DrawRefused("抽取类型应为 entities 或 inspectors。")
    existing = live_draw(plan.id, kind)
    if existing is not None:
        if existing.status == "executed":
            raise DrawRefused(f"本计划的{Draw.KIND_LABELS[kind]}已执行（第 {existing.id} 号），不能重抽。")
        raise DrawRefused(f"本计划已有待执行的{Draw.KIND_LABELS[kind]}（第 {existing.id} 号）；"
                          "如需重新准备，请先将其作废并写明理由。")
    if not plan.departments:
        raise DrawRefused("计划没有参与部门，不能抽取。")
    if kind == algo.ENTITIES:
        pairs = eligible_population(plan)
        params = {"ratios": plan.ratios, "floor": plan.floor_percent}
    else:
        if entity_draw(plan.id) is None:
            raise DrawRefused("检查对象抽取尚未执行，不能抽取执法人员。")
        waiting = pending_confirmations(plan)
        if waiting:
            names = "、".join(c.department.name for c in waiting)
            raise DrawRefused(f"以下部门尚未确认检查对象名单：{names}。全部确认后才能抽取执法人员。")
        pairs, skip = confirmed_list(plan)
        params = _inspector_params(plan, pairs, skip)
    if not pairs:
        raise DrawRefused("没有符合条件的检查对象，不能抽取。")
    try:
        text = algo.population_text(pairs)
    except algo.DrawError as e:
        raise DrawRefused(str(e)) from e
    nonce = algo.new_nonce()
    attempt = 1 + db.session.scalar(
        select(func.count()).select_from(Draw).where(Draw.plan_id == plan.id, Draw.kind == kind))
    draw = Draw(
        plan_id=plan.id, kind=kind, status="prepared", live=1, attempt=attempt,
        population=text, population_size=len(pairs), population_digest=algo.digest_text(text),
        params=params, nonce=nonce, commitment=algo.commitment(nonce),
        prepared_by_id=getattr(user, "id", None), prepared_ip=ip or "cli", prepared_at=utcnow(),
    )
    db.session.add(draw)
    db.session.flush()
    audit.record("draw.prepare", draw, user=user, plan=plan.id, kind=kind, attempt=attempt,
                 population=len(pairs), digest=draw.population_digest, commitment=draw.commitment)
    return draw


def _inspector_params(plan: Plan, pairs, skip) -> dict:
    codes = _codes(plan)
    profiles = db.session.scalars(
        select(InspectorProfile)
        .where(InspectorProfile.department_id.in_(codes), InspectorProfile.is_expert.is_(False))
        .order_by(InspectorProfile.certificate_no)
    ).all()
    for p in profiles:
        if not p.certificate_no.isascii():
            raise DrawRefused(f"执法证号“{p.certificate_no}”（{p.name}）含有非 ASCII 字符，请先在名录库中更正。")
    roster = [{
        "certificate": p.certificate_no,
        "department": codes[p.department_id],
        "valid_from": p.valid_from.isoformat() if p.valid_from else None,
        "valid_to": p.valid_to.isoformat() if p.valid_to else None,
        "active": p.status == "active",
    } for p in profiles]
    usccs = {u for u, _ in pairs}
    ids = {p.id: p.certificate_no for p in profiles}
    conflicts = sorted(
        {(ids[i], u) for i, u in db.session.execute(
            select(Conflict.inspector_id, Entity.uscc).join(Entity, Entity.id == Conflict.entity_id)
            .where(Conflict.inspector_id.in_(ids))) if u in usccs})
    return {
        "ratios": plan.ratios,
        "floor": plan.floor_percent,
        "roster": roster,
        "conflicts": [{"certificate": c, "uscc": u} for c, u in conflicts],
        "team_sizes": {codes[pd.department_id]: pd.team_size for pd in plan.departments},
        "lead_department": plan.lead_department.code,
        "not_supervised": [{"uscc": u, "department": d} for u, d in skip],
    }


def execute(draw: Draw, witness: str = "", user=None, ip=None) -> Draw:
    """Reveal the nonce, compute the seed and the result, store them; then dispatch what follows."""
    witness = (witness or "").strip()
    if len(witness) > 500:
        raise DrawRefused("见证字符串过长（最多 500 字）。")
    if draw.status != "prepared":
        raise DrawRefused(f"第 {draw.id} 号抽取{draw.STATUS_LABELS[draw.status]}，不能再次执行。")
    seed = algo.draw_seed(draw.nonce, witness, draw.population_digest)
    plan = db.session.get(Plan, draw.plan_id)
    if draw.kind == algo.ENTITIES:
        result = algo.select_entities(seed, draw.population, draw.params["ratios"],
                                      draw.params["floor"])
    else:
        p = draw.params
        result = algo.match_teams(
            seed, algo.parse_population(draw.population), p["roster"],
            [(c["certificate"], c["uscc"]) for c in p["conflicts"]], p["team_sizes"], p["lead_department"],
            plan.window_start, plan.window_end, [(x["uscc"], x["department"]) for x in p.get("not_supervised", [])],
            workers=matching_workers(draw.population_size, len(p["roster"]), len(p["team_sizes"])))
    today = beijing_today()
    # Only one executor wins, whatever two requests do at the same time.
    won = db.session.execute(
        update(Draw).where(Draw.id == draw.id, Draw.status == "prepared").values(status="executed")
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.session.rollback()
        raise DrawRefused(f"第 {draw.id} 号抽取已被执行或作废，不能再次执行。")
    draw.status, draw.witness, draw.seed, draw.result = "executed", witness, seed, result
    draw.executed_at, draw.executed_on = utcnow(), today
    draw.executed_by_id, draw.executed_ip = getattr(user, "id", None), ip or "cli"
    audit.record("draw.execute", draw, user=user, plan=plan.id, kind=draw.kind, witness=witness, seed=seed,
                 selected=len(result.get("selected", result.get("entities", []))))
    if draw.kind == algo.ENTITIES:
        plan.status = "drawn"
        calendar = current_calendar()
        for pd in plan.departments:
            due = calendar.add_workdays(today, plan.confirm_days)
            db.session.add(DrawConfirmation(draw=draw, department_id=pd.department_id, deadline=due.due,
                                            deadline_provisional=due.provisional))
        audit.record("plan.drawn", plan, user=user, draw=draw.id)
    else:
        made = dispatch(plan, draw)
        audit.record("draw.dispatch", draw, user=user, plan=plan.id, records=made)
    return draw


def matching_workers(entities: int, inspectors: int, departments: int) -> int:
    """Threads for matching: departments are independent, so a large draw uses the cores (same result)."""
    if entities * inspectors < 5_000_000:
        return 1
    return max(1, min(os.cpu_count() or 1, departments))


def abandon(draw: Draw, reason: str, user=None, ip=None) -> Draw:
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DrawRefused("作废必须写明理由（至少 4 个字）。")
    if draw.status == "executed":
        raise DrawRefused("已执行的抽取不能作废，也不能重抽。")
    if draw.status == "abandoned":
        raise DrawRefused("该抽取已作废。")
    draw.status, draw.live, draw.abandon_reason = "abandoned", None, reason[:2000]
    draw.abandoned_at, draw.abandoned_by_id, draw.abandoned_ip = utcnow(), getattr(user, "id", None), ip or "cli"
    # The nonce is published with the abandonment, so anyone can see what the discarded draw would have given.
    audit.record("draw.abandon", draw, user=user, plan=draw.plan_id, kind=draw.kind, reason=reason,
                 nonce=draw.nonce)
    return draw


def plan_summary(plan: Plan) -> dict:
    return {"id": plan.id, "doc_number": plan.doc_number, "title": plan.title,
            "window_start": plan.window_start.isoformat(), "window_end": plan.window_end.isoformat()}


def manifest(draw: Draw, stream: bool = False) -> dict:
    """The manifest as a dict; with `stream`, for `manifest_chunks` (long lists written piece by piece)."""
    if draw.status != "executed":
        raise DrawRefused(f"第 {draw.id} 号抽取{draw.STATUS_LABELS[draw.status]}，只有已执行的抽取才有清单。")
    plan = db.session.get(Plan, draw.plan_id)
    m = algo.manifest(draw.kind, plan_summary(plan), algo.iter_population(draw.population),
                      draw.population_digest, draw.commitment, draw.nonce, draw.witness, draw.seed,
                      draw.params, draw.result, stream=stream)
    m["draw"] = {"id": draw.id, "attempt": draw.attempt,
                 "prepared_at": draw.prepared_at.isoformat(), "executed_at": draw.executed_at.isoformat()}
    if draw.kind == algo.ENTITIES:
        m["exclusions"] = [
            {"uscc": ex.uscc, "department": c.department.code, "reason": ex.label}
            for c in draw.confirmations for ex in c.exclusions
        ]
    return m


def manifest_chunks(draw: Draw):
    """The manifest's JSON text in pieces, everything read from the database before the first piece."""
    return algo.stream_json(manifest(draw, stream=True))


# --- dispatch: one 一企一表 per enterprise ----------------------------------------------------------------------

def dispatch(plan: Plan, draw: Draw) -> int:
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
    codes = _codes(plan)
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
    teams: dict[str, list[dict]] = {}
    for team in result["teams"]:
        teams.setdefault(team["uscc"], []).append(team)
    items = list(plan.items)
    records = []
    for uscc in usccs:
        mine = teams.get(uscc, [])
        have = set().union(*(profiles[c][1] for t in mine for c in t["certificates"]))
        departments = {dept_ids[t["department"]] for t in mine if t["certificates"]}
        records.append({"plan_id": plan.id, "entity_id": entity_ids[uscc], "status": "dispatched",
                        "understaffed": any(t["short"] for t in mine),
                        "needs_expert": bool(_missing(items, departments, have))})
    bulk_insert(InspectionRecord.__table__, records)
    ids = dict(db.session.execute(select(InspectionRecord.entity_id, InspectionRecord.id)
                                  .where(InspectionRecord.plan_id == plan.id)).all())
    leaders = result["leaders"]
    members = [
        {"record_id": ids[entity_ids[uscc]], "inspector_id": profiles[cert][0],
         "department_id": dept_ids[t["department"]], "kind": "drawn", "is_leader": leaders.get(uscc) == cert}
        for uscc in usccs for t in teams.get(uscc, []) for cert in t["certificates"]]
    bulk_insert(RecordMember.__table__, members)
    return len(records)


def _missing(items, departments: set[int], have: set[str]) -> list:
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
    return _missing(record.plan.items, {m.department_id for m in record.members if m.kind == "drawn"}, have)


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
    if record.status not in OPEN_RECORD_STATUSES + ("returned",):
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
    drawn = live_draw(record.plan_id, algo.INSPECTORS)
    if drawn is None or drawn.status != "executed":
        return {}
    codes = {code: dept_id for dept_id, code in _codes(record.plan).items()}
    out = {}
    for team in drawn.result["teams"]:
        if team["uscc"] == record.entity.uscc and team["short"]:
            dept_id = codes[team["department"]]
            appointed = sum(1 for m in record.members if m.kind == "expert" and m.department_id == dept_id)
            if team["short"] > appointed:
                out[dept_id] = team["short"] - appointed
    return out


# --- department confirmation ----------------------------------------------------------------------------------

def exclude(conf: DrawConfirmation, entity: Entity, reason_code: str, note: str, user) -> DrawExclusion:
    note = (note or "").strip()
    if conf.confirmed_at is not None:
        raise DrawRefused("本部门已确认名单，不能再排除。")
    if reason_code not in DrawExclusion.REASONS:
        raise DrawRefused("请选择排除理由。")
    if reason_code == "other" and len(note) < 2:
        raise DrawRefused("理由为“其他”时必须写明具体情况。")
    if entity.uscc not in {row[0] for row in conf.draw.result["selected"]}:
        raise DrawRefused("该对象不在本次抽中的名单中。")
    if any(ex.entity_id == entity.id for ex in conf.exclusions):
        raise DrawRefused(f"“{entity.name}”已被本部门排除。")
    ex = DrawExclusion(entity_id=entity.id, uscc=entity.uscc, reason_code=reason_code, note=note[:300],
                       created_by_id=user.id)
    conf.exclusions.append(ex)
    db.session.flush()
    audit.record("draw.exclude", conf, user=user, uscc=entity.uscc, reason=ex.label)
    return ex


def remove_exclusion(conf: DrawConfirmation, ex: DrawExclusion, user):
    if conf.confirmed_at is not None:
        raise DrawRefused("本部门已确认名单，不能再修改。")
    audit.record("draw.exclude_undo", conf, user=user, uscc=ex.uscc, reason=ex.label)
    conf.exclusions.remove(ex)


def confirm(conf: DrawConfirmation, user):
    if conf.confirmed_at is not None:
        raise DrawRefused("本部门已确认过名单。")
    today = beijing_today()
    conf.confirmed_at, conf.confirmed_on, conf.confirmed_by_id = utcnow(), today, user.id
    conf.late = today > conf.deadline
    audit.record("draw.confirm", conf, user=user, excluded=len(conf.exclusions), late=conf.late)


# --- working days ----------------------------------------------------------------------------------------------

def recompute_deadlines(user=None) -> dict:
    """After the override table changed: the deadlines of open records and of open confirmations."""
    calendar = current_calendar()
    records = db.session.scalars(select(InspectionRecord).where(
        InspectionRecord.inspected_on.is_not(None), InspectionRecord.status.in_(OPEN_RECORD_STATUSES))).all()
    changed_records = 0
    for r in records:
        due = calendar.add_workdays(r.inspected_on, r.plan.entry_days)
        if (r.sync_due, r.due_provisional) != (due.due, due.provisional):
            r.sync_due, r.due_provisional = due.due, due.provisional
            changed_records += 1
    confs = db.session.scalars(select(DrawConfirmation).where(DrawConfirmation.confirmed_at.is_(None))).all()
    changed_confs = 0
    for c in confs:
        due = calendar.add_workdays(c.draw.executed_on, c.draw.plan.confirm_days)
        if (c.deadline, c.deadline_provisional) != (due.due, due.provisional):
            c.deadline, c.deadline_provisional = due.due, due.provisional
            changed_confs += 1
    out = {"records": changed_records, "confirmations": changed_confs}
    audit.record("calendar.recompute", None, user=user, **out)
    return out


def set_override(day, is_workday: bool, note: str, user=None) -> CalendarOverride:
    row = db.session.get(CalendarOverride, day)
    if row is None:
        row = CalendarOverride(day=day)
        db.session.add(row)
    row.is_workday, row.note, row.updated_by_id = is_workday, (note or "").strip()[:100], getattr(user, "id", None)
    db.session.flush()
    audit.record("calendar.override", None, user=user, day=day.isoformat(), is_workday=is_workday, note=row.note)
    recompute_deadlines(user)
    return row


def delete_override(day, user=None):
    row = db.session.get(CalendarOverride, day)
    if row is None:
        raise DrawRefused("没有这一天的调整记录。")
    db.session.delete(row)
    db.session.flush()
    audit.record("calendar.override_delete", None, user=user, day=day.isoformat())
    recompute_deadlines(user)


def departments_by_code() -> dict[str, Department]:
    return {d.code: d for d in db.session.scalars(select(Department))}
