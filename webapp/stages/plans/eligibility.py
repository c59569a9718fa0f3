"""The eligibility preview in SQL: one scan of the directory, grouped, so 1,000,000 entities take seconds.

`domain.eligibility.exclusion_reason` is the reference; the CASE below tests the same rules in the same order
and the tests check that both agree. Reason texts always come from the reference (applied to a sample entity of
each group and to the entities of the page shown), so the wording has one source.

无事不扰: `capped` (USCC → random checks this year, for the enterprises that reached the jurisdiction's cap, from
`stages.draw.visits.capped_for`, a later stage's count handed in by the caller) adds the last rule.
"""
from dataclasses import replace

from sqlalchemy import String, case, func, literal, null, select
from sqlalchemy import text as sql

from webapp.core.extensions import db
from webapp.domain import eligibility, risk
from webapp.stages.accounts import jurisdictions
from webapp.stages.directory.models import Entity

# The reason codes, in the order exclusion_reason tests them.
CATEGORY, NO_DATE, LATE, NO_REPORT, STATUS, RISK = "category", "no_date", "late", "no_report", "status", "risk"
VISITS = "visits"


def with_cap(rules: eligibility.Rules, cap: int | None) -> eligibility.Rules:
    return replace(rules, visit_cap=cap or None)


def facts(entity: Entity, capped: dict | None) -> eligibility.EntityFacts:
    return replace(entity.facts(), visits=(capped or {}).get(entity.uscc, 0))


def reason_code(rules: eligibility.Rules, capped: dict | None = None):
    """A SQL expression: NULL for an eligible entity, else the code of the first rule that fails."""
    whens = []
    if rules.category:
        whens.append((Entity.category != rules.category, CATEGORY))
    if rules.registered_before:
        whens.append((Entity.registered_on.is_(None), NO_DATE))
        whens.append((Entity.registered_on >= rules.registered_before, LATE))
    if rules.annual_report_year:
        # "2021,2022" holds the year as a whole item: ",2021,2022," LIKE "%,2022,%"
        years = literal(",", String) + func.replace(Entity.annual_report_years, " ", "") + literal(",", String)
        whens.append((~years.like(f"%,{int(rules.annual_report_year)},%"), NO_REPORT))
    if rules.statuses:
        whens.append((Entity.status.not_in(list(rules.statuses)), STATUS))
    whens.append((Entity.risk_level.not_in(list(risk.LEVELS)), RISK))
    if rules.visit_cap and capped:
        whens.append((Entity.uscc.in_(sorted(capped)), VISITS))
    return case(*whens, else_=null())


def in_area(plan):
    """The plan's directory: the entities of its jurisdiction and those below (a city's plan spans its
    districts). A plan placed nowhere (made before jurisdictions) sees the entities placed nowhere."""
    if plan.jurisdiction_id is None:
        return Entity.jurisdiction_id.is_(None)
    return Entity.jurisdiction_id.in_(sorted(jurisdictions.below(plan.jurisdiction_id)))


def summary(plan, cap: int | None = None, capped: dict | None = None) -> dict:
    """Counts per risk level of the eligible, what each ratio draws, the floor, and the excluded by reason."""
    rules = with_cap(plan.rules, cap)
    if db.engine.dialect.name == "postgresql":
        # JIT compiling the CASE costs ~0.3 s, and the planner, which cannot know that the groups are a few
        # dozen, would sort the million rows on disk instead of hashing them (until the transaction ends).
        for setting in ("jit = off", "enable_sort = off", "work_mem = '16MB'"):
            db.session.execute(sql(f"SET LOCAL {setting}"))
    # One scan, the reason evaluated once per row (grouped by its label). Status reasons name the status, so
    # they group by it; every other reason but the visits has one wording.
    reason = reason_code(rules, capped)
    rows = db.session.execute(
        select(reason.label("reason"), Entity.status, Entity.risk_level.label("level"), func.count(),
               func.min(Entity.id)).where(in_area(plan)).group_by("reason", Entity.status, "level")
    ).all()
    counts = {lvl: 0 for lvl in risk.LEVELS}
    groups: dict[tuple, list] = {}
    for code, status, level, n, sample in rows:
        if code is None:
            counts[level] = counts.get(level, 0) + n
        elif code != VISITS:
            group = groups.setdefault((code, status if code == STATUS else None), [0, sample])
            group[0] += n
            group[1] = min(group[1], sample)
    samples = {e.id: e for e in db.session.scalars(select(Entity).where(Entity.id.in_([g[1] for g in groups.values()])))}
    worded: dict[tuple[str, str], int] = {}
    for (code, _), (n, sample) in groups.items():
        key = (code, eligibility.exclusion_reason(rules, facts(samples[sample], capped)))
        worded[key] = worded.get(key, 0) + n
    if rules.visit_cap and capped:  # visit reasons name each enterprise's count: worded one by one
        for entity in db.session.scalars(select(Entity).where(Entity.uscc.in_(sorted(capped)), in_area(plan),
                                                              reason == VISITS)):
            key = (VISITS, eligibility.exclusion_reason(rules, facts(entity, capped)))
            worded[key] = worded.get(key, 0) + 1
    excluded = sorted(({"code": code, "text": wording, "count": n} for (code, wording), n in worded.items()),
                      key=lambda g: (-g["count"], g["text"]))
    return {
        "eligible": counts,
        "draw": eligibility.draw_counts(counts, plan.ratios, plan.floor_percent),
        "excluded": excluded,
        "excluded_total": sum(g["count"] for g in excluded),
    }


def excluded_page(plan, page: int, per_page: int = 50, cap: int | None = None,
                  capped: dict | None = None) -> list[tuple[Entity, str]]:
    """One page of excluded entities, each with the reference's reason."""
    rules = with_cap(plan.rules, cap)
    entities = db.session.scalars(
        select(Entity).where(reason_code(rules, capped).is_not(None), in_area(plan)).order_by(Entity.id)
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return [(e, eligibility.exclusion_reason(rules, facts(e, capped))) for e in entities]


def codes(rules: eligibility.Rules, capped: dict | None = None) -> dict[int, str | None]:
    """Every entity's reason code (for tests and small directories)."""
    return {i: c for i, c in db.session.execute(select(Entity.id, reason_code(rules, capped)))}
