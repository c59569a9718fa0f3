"""后续监管: follow-up tasks of published records, closed by the department with jurisdiction with evidence."""
from flask import Blueprint

bp = Blueprint("followup", __name__, url_prefix="/followup")

from . import views  # noqa: E402,F401  (routes register on bp)


@bp.app_template_global()
def open_follow_ups(department_id=None) -> dict:
    """Counts for the home pages: open follow-up tasks (of one department, or all) and how many are overdue."""
    from datetime import date

    from sqlalchemy import func, select

    from ..extensions import db
    from ..models import FollowUpTask

    query = select(func.count()).select_from(FollowUpTask).where(FollowUpTask.status == "open")
    if department_id is not None:
        query = query.where(FollowUpTask.department_id == department_id)
    return {
        "open": db.session.scalar(query),
        "overdue": db.session.scalar(query.where(FollowUpTask.deadline < date.today())),
    }
