"""一公开: the public portal (no login), record and credential verification, and the office's publication pages."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from . import office, views  # noqa: E402,F401  (routes register on bp)
from .publishing import publication_deadline  # noqa: E402,F401


@bp.app_template_global()
def awaiting_publication() -> list[dict]:
    """For the office's home page: plans with approved records not yet published, and their deadline."""
    from sqlalchemy import func, select

    from ..extensions import db
    from ..models import InspectionRecord, Plan

    rows = db.session.execute(
        select(Plan, func.count(InspectionRecord.id))
        .join(InspectionRecord, InspectionRecord.plan_id == Plan.id)
        .where(InspectionRecord.status == "approved")
        .group_by(Plan.id).order_by(Plan.window_end)
    ).all()
    return [{"plan": plan, "count": n, "deadline": publication_deadline(plan)} for plan, n in rows]
