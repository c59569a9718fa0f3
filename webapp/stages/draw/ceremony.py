"""The draw ceremonies against the database: freeze the population, commit, reveal, abandon.

The algorithm itself is `webapp.domain.draw`, the manifest's form `webapp.domain.manifest`; what follows a
revealed inspectors' draw (the records) is the next stage's (`webapp.stages.records.dispatch.execute`). Every
change writes an audit event and is committed by the caller's single `db.session.commit()`. What of a draw is
public, and when (its summary, its manifest, disclosure), is `webapp.stages.draw.disclosure`.
"""
import os

from sqlalchemy import and_, func, literal, select, update
from sqlalchemy import text as text_sql
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm.attributes import set_committed_value

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain import manifest as published
from webapp.domain.risk import LEVELS
from webapp.stages.directory.models import Conflict, Entity, InspectorProfile
from webapp.stages.draw import DrawRefused, disclosure, selection
from webapp.stages.draw.models import Draw, DrawConfirmation
from webapp.stages.plans.calendar import current_calendar
from webapp.stages.plans.eligibility import in_area, reason_code
from webapp.stages.plans.models import Plan

# --- populations --------------------------------------------------------------------------------------------

def eligible_population(plan: Plan) -> list[tuple[str, str]]:
    """(uscc, risk) of the directory entities the plan may draw: SQL for the plain rules, Python for the annual
    report years, equivalent to `domain.eligibility.exclusion_reason(plan.rules, entity.facts()) is None`."""
    rules = plan.rules
    query = select(Entity.uscc, Entity.risk_level, Entity.annual_report_years).where(
        Entity.risk_level.in_(LEVELS), in_area(plan))
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


def department_codes(plan: Plan) -> dict[int, str]:
    return {pd.department_id: pd.department.code for pd in plan.departments}


def confirmed_list(plan: Plan) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """After the departments' 比对和确认: the entities still on the list, and (uscc, department code) pairs a
    department excluded as 不属本部门监管 (that department only). Any other exclusion takes the entity off."""
    drawn = entity_draw(plan.id)
    if drawn is None:
        return [], []
    codes = department_codes(plan)
    removed, not_ours = set(), {}
    for conf in drawn.confirmations:
        for ex in conf.exclusions:
            if ex.reason_code == "not_ours":
                not_ours.setdefault(ex.uscc, set()).add(codes[conf.department_id])
            else:
                removed.add(ex.uscc)
    everyone = set(codes.values())
    keep, skip = [], []
    for uscc, risk, *_ in selection.rows(drawn.id):
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
        params = {"ratios": plan.ratios, "floor": plan.floor_percent}
        text, size, cap = _entity_population(plan)
        if cap is not None:
            params["visit_cap"] = cap
    else:
        if entity_draw(plan.id) is None:
            raise DrawRefused("检查对象抽取尚未执行，不能抽取执法人员。")
        waiting = pending_confirmations(plan)
        if waiting:
            names = "、".join(c.department.name for c in waiting)
            raise DrawRefused(f"以下部门尚未确认检查对象名单：{names}。全部确认后才能抽取执法人员。")
        pairs, skip = confirmed_list(plan)
        params = _inspector_params(plan, pairs, skip)
        text, size = _canonical(pairs), len(pairs)
    if not size:
        raise DrawRefused("没有符合条件的检查对象，不能抽取。")
    nonce = algo.new_nonce()
    attempt = 1 + db.session.scalar(
        select(func.count()).select_from(Draw).where(Draw.plan_id == plan.id, Draw.kind == kind))
    draw = Draw(
        plan_id=plan.id, kind=kind, status="prepared", live=1, attempt=attempt,
        population=text, population_size=size, population_digest=algo.digest_text(text),
        params=params, nonce=nonce, commitment=algo.commitment(nonce),
        prepared_by_id=getattr(user, "id", None), prepared_ip=ip or "cli", prepared_at=clock.utcnow(),
    )
    db.session.add(draw)
    db.session.flush()
    audit.record("draw.prepare", draw, user=user, plan=plan.id, kind=kind, attempt=attempt,
                 population=size, digest=draw.population_digest, commitment=draw.commitment)
    disclosure.log_act("draw.prepared", draw, population_size=draw.population_size)
    return draw


def _canonical(pairs) -> str:
    try:
        return algo.population_text(pairs)
    except algo.DrawError as e:
        raise DrawRefused(str(e)) from e


def _entity_population(plan: Plan) -> tuple[str, int, dict | None]:
    """The canonical population text, its size and the 无事不扰 record: the enterprises that reached the
    jurisdiction's yearly cap are left out, and what was left out, and why, goes into the manifest (`visit_cap`),
    so the population stays explained and the draw verifiable."""
    from webapp.stages.draw import visits  # visits reads confirmed_list from here

    cap, capped = visits.capped_for(plan)
    found = _population_in_sql(plan, capped) if db.session.get_bind().dialect.name == "postgresql" else None
    if found is None:
        pairs = eligible_population(plan)
        left = [uscc for uscc, _ in pairs if uscc in capped]
        text = _canonical([p for p in pairs if p[0] not in capped])
    else:
        text, left = found
    record = None
    if cap is not None:
        record = {"cap": cap, "year": plan.window_start.year,
                  "excluded": [{"uscc": u, "visits": capped[u]} for u in sorted(left)]}
    return text, text.count("\n"), record


def _population_in_sql(plan: Plan, capped: dict) -> tuple[str, list[str]] | None:
    """PostgreSQL: the canonical text from one aggregate of the lines, sorted here (no row per entity in Python;
    the rules as the eligibility preview applies them), and the eligible USCCs among `capped`. None when a USCC
    cannot go into the text: the Python path then refuses with its message."""
    eligible = and_(in_area(plan), reason_code(plan.rules).is_(None))
    kept = and_(eligible, Entity.uscc.not_in(sorted(capped))) if capped else eligible
    line = Entity.uscc + "\t" + Entity.risk_level + "\n"
    plain = func.count().filter(~Entity.uscc.regexp_match("^[\x01-\x08\x0b-\x7f]+$"))
    # the lines in table order, sorted by the compiled module: the database's sort was half the freeze
    text, bad = db.session.execute(select(func.string_agg(line, literal("")), plain).where(kept)).one()
    if bad:
        return None
    text = _sorted_lines(text or "")
    if text is None:  # a backslash or CR in a uscc (or nothing compiled): the database sorts
        db.session.execute(text_sql("SET LOCAL work_mem = '200MB'"))  # a million rows sorted in memory, not on disk
        text = db.session.scalar(select(
            func.string_agg(line, aggregate_order_by(literal(""), Entity.uscc.collate("C")))).where(kept))
    left = db.session.scalars(select(Entity.uscc).where(eligible, Entity.uscc.in_(sorted(capped)))).all() if capped else []
    return text or "", list(left)


def _sorted_lines(text: str) -> str | None:
    """`uscc<TAB>risk<LF>` lines in any order as the canonical text (sorted by uscc, compiled); None without the
    compiled module or for a uscc with a backslash or CR (rare: the database then sorts)."""
    if not algo.COMPILED:
        return None
    from webapp.domain._hashrank import canonical_lines

    out = canonical_lines(text.encode("utf-8"))
    return None if out is None else out.decode("ascii")


def _inspector_params(plan: Plan, pairs, skip) -> dict:
    codes = department_codes(plan)
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
        "valid_from": clock.iso(p.valid_from),
        "valid_to": clock.iso(p.valid_to),
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


def reveal(draw: Draw, witness: str = "", user=None, ip=None) -> Draw:
    """Reveal the nonce, compute the seed and the result, store them; an entity draw opens the departments'
    confirmations. (An inspectors' draw is executed through `records.dispatch.execute`, which dispatches.)"""
    witness = (witness or "").strip()
    if len(witness) > 500:
        raise DrawRefused("见证字符串过长（最多 500 字）。")
    if draw.status != "prepared":
        raise DrawRefused(f"第 {draw.id} 号抽取{draw.STATUS_LABELS[draw.status]}，不能再次执行。")
    seed = algo.draw_seed(draw.nonce, witness, draw.population_digest)
    plan = db.session.get(Plan, draw.plan_id)
    chosen = None
    if draw.kind == algo.ENTITIES:
        result, chosen = algo.rank_entities(seed, frozen_population(draw), draw.params["ratios"], draw.params["floor"])
    else:
        p = draw.params
        result = algo.match_teams(
            seed, algo.parse_population(draw.population), p["roster"],
            [(c["certificate"], c["uscc"]) for c in p["conflicts"]], p["team_sizes"], p["lead_department"],
            plan.window_start, plan.window_end, [(x["uscc"], x["department"]) for x in p.get("not_supervised", [])],
            workers=matching_workers(draw.population_size, len(p["roster"]), len(p["team_sizes"])))
    today = clock.today()
    # Only one executor wins, whatever two requests do at the same time.
    won = db.session.execute(
        update(Draw).where(Draw.id == draw.id, Draw.status == "prepared").values(status="executed")
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.session.rollback()
        raise DrawRefused(f"第 {draw.id} 号抽取已被执行或作废，不能再次执行。")
    draw.status, draw.witness, draw.seed, draw.result = "executed", witness, seed, result
    draw.executed_at, draw.executed_on = clock.utcnow(), today
    draw.executed_by_id, draw.executed_ip = getattr(user, "id", None), ip or "cli"
    manifest = disclosure.manifest(draw, stream=True, chosen=chosen)  # what it reads from the database, now

    def commit_to_manifest():
        draw.manifest_sha256 = published.committed_sha256(manifest)

    if chosen is None:
        commit_to_manifest()
    else:  # hashed while the database takes in the selection
        selection.store(draw.id, chosen, meanwhile=commit_to_manifest)
    audit.record("draw.execute", draw, user=user, plan=plan.id, kind=draw.kind, witness=witness, seed=seed,
                 selected=len(chosen) if chosen is not None else len(result["entities"]))
    disclosure.log_act("draw.executed", draw, witness=witness, seed=seed, manifest_sha256=draw.manifest_sha256,
         drawn_by_level=disclosure.drawn_by_level(draw))
    if draw.kind == algo.ENTITIES:
        plan.status = "drawn"
        calendar = current_calendar()
        for pd in plan.departments:
            due = calendar.add_workdays(today, plan.confirm_days)
            db.session.add(DrawConfirmation(draw=draw, department_id=pd.department_id, deadline=due.due,
                                            deadline_provisional=due.provisional))
        audit.record("plan.drawn", plan, user=user, draw=draw.id)
    return draw


def frozen_population(draw: Draw, large: int = 2_000_000) -> str:
    """The draw's frozen population text. A large one not yet loaded is read, on PostgreSQL, on a connection of its
    own, closed at once: libpq keeps an input buffer as large as the largest value a connection ever received for as
    long as it lives (250 MB at 10,000,000 entities, on the pooled connection of every later request)."""
    if ("population" in draw.__dict__ or draw.population_size < large
            or db.session.get_bind().dialect.name != "postgresql"):
        return draw.population
    raw = db.session.get_bind().raw_connection()
    raw.detach()  # closed for good below, not returned to the pool
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT population FROM draws WHERE id = %s", (draw.id,))
        found = cursor.fetchone()
        cursor.close()
    finally:
        raw.close()
    if found is None:  # prepared in this very transaction: only this session sees it
        return draw.population
    set_committed_value(draw, "population", found[0])
    return found[0]


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
    draw.abandoned_at, draw.abandoned_by_id, draw.abandoned_ip = clock.utcnow(), getattr(user, "id", None), ip or "cli"
    # The nonce is published with the abandonment, so anyone can see what the discarded draw would have given.
    audit.record("draw.abandon", draw, user=user, plan=draw.plan_id, kind=draw.kind, reason=reason,
                 nonce=draw.nonce)
    disclosure.log_act("draw.abandoned", draw, reason=draw.abandon_reason, nonce=draw.nonce)
    return draw
