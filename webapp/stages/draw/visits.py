"""无事不扰: how many random checks each enterprise has had this year, across departments and plans.

A check counts once per plan (a joint check is one visit, whatever the number of departments): an enterprise
drawn by an executed objects' draw and kept on the list after the departments' 比对和确认."""
from collections import Counter
from datetime import date

from sqlalchemy import and_, select

from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain import programme
from webapp.stages.draw.ceremony import confirmed_list
from webapp.stages.draw.models import Draw
from webapp.stages.plans import limits
from webapp.stages.plans.models import Plan


def counts(year: int, exclude_plan_id: int | None = None) -> Counter:
    """USCC → random checks in `year` (by the start of each plan's window), leaving out one plan (the one about to
    draw)."""
    plans = db.session.scalars(
        select(Plan).join(Draw, and_(Draw.plan_id == Plan.id, Draw.kind == algo.ENTITIES, Draw.live == 1,
                                     Draw.status == "executed"))
        .where(Plan.window_start >= date(year, 1, 1), Plan.window_start <= date(year, 12, 31))).all()
    seen: Counter = Counter()
    for plan in plans:
        if plan.id == exclude_plan_id:
            continue
        kept, _ = confirmed_list(plan)
        seen.update(uscc for uscc, _ in kept)
    return seen


def capped_for(plan: Plan) -> tuple[int | None, dict[str, int]]:
    """The cap in force where the plan runs, and the enterprises (USCC → checks this year) that reached it."""
    cap = limits.for_plan(plan).visit_cap
    if not cap:
        return None, {}
    return cap, programme.capped(counts(plan.window_start.year, exclude_plan_id=plan.id), cap)
