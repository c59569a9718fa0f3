"""Each jurisdiction's time limits and 无事不扰 cap (`jurisdiction_limits`): read with defaults, saved audited."""
from webapp.core import audit
from webapp.core.extensions import db
from webapp.domain.programme import Limits
from webapp.stages.plans.models import JurisdictionLimits, Plan


def of(jurisdiction_id: int | None) -> Limits:
    """The jurisdiction's limits; the defaults (5 and 20 working days, no cap) where none were set."""
    row = db.session.get(JurisdictionLimits, jurisdiction_id) if jurisdiction_id else None
    if row is None:
        return Limits()
    return Limits(entry_days=row.entry_days, publish_days=row.publish_days, visit_cap=row.visit_cap)


def plan_jurisdiction_id(plan: Plan) -> int | None:
    """Where a plan runs: its own jurisdiction where plans carry one, else its annual plan's, else its lead
    department's."""
    own = getattr(plan, "jurisdiction_id", None)
    if own:
        return own
    if plan.annual_plan is not None:
        return plan.annual_plan.jurisdiction_id
    return plan.lead_department.jurisdiction_id if plan.lead_department is not None else None


def for_plan(plan: Plan) -> Limits:
    return of(plan_jurisdiction_id(plan))


def save(jurisdiction_id: int, limits: Limits, user=None) -> JurisdictionLimits:
    """Set a jurisdiction's limits; plans made from now take them (a plan keeps the days it was made with)."""
    row = db.session.get(JurisdictionLimits, jurisdiction_id)
    before = None
    if row is None:
        row = JurisdictionLimits(jurisdiction_id=jurisdiction_id)
        db.session.add(row)
    else:
        before = {"entry_days": row.entry_days, "publish_days": row.publish_days, "visit_cap": row.visit_cap}
    row.entry_days, row.publish_days, row.visit_cap = limits.entry_days, limits.publish_days, limits.visit_cap
    row.updated_by_id = getattr(user, "id", None)
    db.session.flush()
    audit.record("limits.save", None, user=user, jurisdiction=jurisdiction_id, before=before,
                 after={"entry_days": limits.entry_days, "publish_days": limits.publish_days,
                        "visit_cap": limits.visit_cap})
    return row
