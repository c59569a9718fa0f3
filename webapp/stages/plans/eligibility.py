"""The eligibility preview in SQL: one pass over a narrow index of the directory, grouped, so that 1,000,000
entities take a tenth of a second on PostgreSQL (benchmarks/eligibility_preview.py).

`domain.eligibility.exclusion_reason` is the reference. The summary applies it to the groups of the pass (facts
standing for all the entities of a group); the CASE below (the excluded list, the draw) tests the same rules in
the same order, and the tests check that both agree with the reference. Reason texts always come from the
reference, so the wording has one source.

无事不扰: `capped` (USCC → random checks this year, for the enterprises that reached the jurisdiction's cap, from
`stages.draw.visits.capped_for`, a later stage's count handed in by the caller) adds the last rule.
"""
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import String, case, func, literal, null, select
from sqlalchemy import text as sql

from webapp.core import keyset
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
        whens.append((~filed(rules, Entity.annual_report_years), NO_REPORT))
    if rules.statuses:
        whens.append((Entity.status.not_in(list(rules.statuses)), STATUS))
    whens.append((Entity.risk_level.not_in(list(risk.LEVELS)), RISK))
    if rules.visit_cap and capped:
        whens.append((Entity.uscc.in_(sorted(capped)), VISITS))
    return case(*whens, else_=null())


def in_area(plan):
    """The plan's directory: the entities of its jurisdiction and those below (a city's plan spans its
    districts). A plan placed nowhere (made before jurisdictions) sees the entities placed nowhere."""
    return _area(area_ids(plan))


def _area(ids: list[int] | None):
    return Entity.jurisdiction_id.is_(None) if ids is None else Entity.jurisdiction_id.in_(ids)


def area_ids(plan) -> list[int] | None:
    """The jurisdictions of the plan's directory, None for a plan placed nowhere."""
    return None if plan.jurisdiction_id is None else sorted(jurisdictions.below(plan.jurisdiction_id))


def filed(rules: eligibility.Rules, years_column):
    """SQL: the plan's annual report year is a whole item of the column's comma list (spaces ignored):
    ",2021,2022," LIKE "%,2022,%"."""
    years = literal(",", String) + func.replace(years_column, " ", "") + literal(",", String)
    return years.like(f"%,{int(rules.annual_report_year)},%")


def grouped(plan, rules: eligibility.Rules):
    """The plan's directory in one pass, as a statement to run inside `index_alone`: rows of {cat_ok (the category
    is the plan's), status, level, filed (the annual report is), n (entities), undated, late (of them: no
    registration date, registered on or after the plan's date)}, a few dozen in all; a key the rules do not test is
    left out (as if true).

    The pass groups by the columns of ix_entities_eligibility in its order, so PostgreSQL reads that index alone
    (an index-only scan, in parallel workers) and aggregates the rows as they come, without hashing or sorting
    them; the rules that compare a column with the plan's value then run on the groups (one per distinct
    combination, a few thousand) in the outer query."""
    e = Entity
    before = rules.registered_before
    ids = area_ids(plan)
    # in the index's order: over several jurisdictions the pass reads them one after the other
    columns = ((e.jurisdiction_id,) if ids and len(ids) > 1 else ()) + (e.category, e.status, e.risk_level,
                                                                        e.annual_report_years)
    counts = [func.count().label("n")]
    if before:
        counts += [func.count().filter(e.registered_on.is_(None)).label("undated"),
                   func.count().filter(e.registered_on >= before).label("late")]
    g = select(*columns, *counts).where(_area(ids)).group_by(*columns).subquery().c
    keys = [g.status.label("status"), g.risk_level.label("level")]
    if rules.category:
        keys.append((g.category == rules.category).label("cat_ok"))
    if rules.annual_report_year:
        keys.append(filed(rules, g.annual_report_years).label("filed"))
    sums = [func.sum(g[c.name]).label(c.name) for c in counts]
    return select(*keys, *sums).group_by(*keys)


@contextmanager
def index_alone():
    """On PostgreSQL, for the pass: no sequential scan, and no JIT (compiling the expressions would cost more than
    the pass). The planner prices each page of an index at random_page_cost (4) against 1 for a page of the table,
    so at 1,000,000 entities it chose a parallel scan of the whole table (five times the pages) hashing every row:
    0.35 s of CPU where the index alone takes 0.16. Set for the transaction and put back after the pass (after a
    failed one the transaction is rolled back, which undoes it)."""
    if db.engine.dialect.name != "postgresql":
        yield
        return
    db.session.execute(sql("SELECT set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true)"))
    yield
    db.session.execute(sql("SELECT set_config(name, reset_val, true) FROM pg_settings WHERE name = 'enable_seqscan'"))


def summary(plan, cap: int | None = None, capped: dict | None = None) -> dict:
    """Counts per risk level of the eligible, what each ratio draws, the floor, and the excluded by reason.

    Each group of `grouped` becomes up to three facts (undated, registered too late, in time) that fail or pass
    the rules exactly as its entities do, and the reference (`exclusion_reason`) decides and words them: no
    reason is decided twice. The enterprises at the yearly cap (a few) are then taken one by one."""
    rules = with_cap(plan.rules, cap)
    before = rules.registered_before
    counts = {lvl: 0 for lvl in risk.LEVELS}
    worded: dict[str, int] = {}
    with index_alone():
        rows = db.session.execute(grouped(plan, rules)).mappings().all()
    for row in rows:
        n, undated, late = int(row["n"]), int(row.get("undated") or 0), int(row.get("late") or 0)
        common = dict(uscc="", status=row["status"], risk=row["level"],
                      category=rules.category if row.get("cat_ok", True) is not False else "",
                      annual_report_years=frozenset({rules.annual_report_year}) if row.get("filed", True) else
                      frozenset())
        # registered: unknown, on or after the plan's date, before it (the reference tests nothing else of it)
        dates = [(None, undated), (before, late), (before and before - timedelta(days=1), n - undated - late)]
        for registered_on, many in dates if before else [(None, n)]:
            if not many:
                continue
            reason = eligibility.exclusion_reason(rules, eligibility.EntityFacts(registered_on=registered_on,
                                                                                  **common))
            if reason is None:
                counts[row["level"]] += many
            else:
                worded[reason] = worded.get(reason, 0) + many
    if rules.visit_cap and capped:  # visit reasons name each enterprise's count: worded one by one
        for entity in db.session.scalars(select(Entity).where(Entity.uscc.in_(sorted(capped)), in_area(plan),
                                                              reason_code(rules, capped) == VISITS)):
            counts[entity.risk_level] -= 1  # counted above as eligible
            reason = eligibility.exclusion_reason(rules, facts(entity, capped))
            worded[reason] = worded.get(reason, 0) + 1
    excluded = sorted(({"text": wording, "count": n} for wording, n in worded.items()),
                      key=lambda g: (-g["count"], g["text"]))
    return {
        "eligible": counts,
        "draw": eligibility.draw_counts(counts, plan.ratios, plan.floor_percent),
        "excluded": excluded,
        "excluded_total": sum(g["count"] for g in excluded),
    }


def excluded_after(plan, after: int | None, per_page: int = 50, cap: int | None = None, capped: dict | None = None,
                   total: int | None = None) -> keyset.Page:
    """The excluded entities after the id `after` (keyset, never OFFSET), as (entity, the reference's reason);
    `total`: their number when known already (the summary's), else counted as keyset counts."""
    rules = with_cap(plan.rules, cap)
    found = keyset.page(_excluded(plan, rules, capped), Entity.id, after, per_page, known=total)
    found.items = [(e, eligibility.exclusion_reason(rules, facts(e, capped))) for e in found.items]
    return found


def _excluded(plan, rules, capped):
    return select(Entity).where(reason_code(rules, capped).is_not(None), in_area(plan))


def codes(rules: eligibility.Rules, capped: dict | None = None) -> dict[int, str | None]:
    """Every entity's reason code (for tests and small directories)."""
    return {i: c for i, c in db.session.execute(select(Entity.id, reason_code(rules, capped)))}
