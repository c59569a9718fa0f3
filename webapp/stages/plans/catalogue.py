"""Which plans use which version of a catalogue item (plans keep a copy of the version they were made with)."""
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.stages.plans.models import Plan, PlanItem


def usage(item_ids) -> dict[tuple[int, int], list[Plan]]:
    """(item id, version) → the plans holding a copy of that version, oldest window first."""
    item_ids = list(item_ids)
    out: dict[tuple[int, int], list[Plan]] = {}
    if not item_ids:
        return out
    rows = db.session.execute(
        select(PlanItem.source_item_id, PlanItem.source_version, Plan)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(PlanItem.source_item_id.in_(item_ids))
        .order_by(Plan.window_start, Plan.id)).all()
    for item_id, version, plan in rows:
        out.setdefault((item_id, version or 1), []).append(plan)
    return out
