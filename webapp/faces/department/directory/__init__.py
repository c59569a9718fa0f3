"""Pages of the directories (blueprint "directory"), by area: the object directory here, the imports
(`batches.py`), the inspector roster with its 回避 (`roster.py`), and the check-item library (`items.py`).
Thin: parse the request, call importing/domain, render."""
from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import select

from webapp.core import keyset
from webapp.core.extensions import db
from webapp.domain import normalise, risk, roles
from webapp.faces.auth.gate import role_required
from webapp.faces.department.scope import can_import
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department
from webapp.stages.directory import search
from webapp.stages.directory.models import Entity

bp = Blueprint("directory", __name__, url_prefix="/directory")

ADMINS = (roles.OFFICE_ADMIN, roles.DEPT_ADMIN)
PER_PAGE = 25


def page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def all_departments() -> list[Department]:
    """The departments of the jurisdictions the user sees."""
    return db.session.scalars(jurisdictions.scope(select(Department), Department.jurisdiction_id, current_user)
                              .order_by(Department.id)).all()


# --- the object directory --------------------------------------------------------------------------------------

@bp.route("/entities")
@role_required(*ADMINS)
def entities():
    q = normalise.clean_text(request.args.get("q", ""))[:100]
    level = request.args.get("risk", "")
    query = jurisdictions.scope(select(Entity), Entity.jurisdiction_id, current_user)
    if q:
        query = query.where(search.matching(q))
    if level in risk.LEVELS:
        query = query.where(Entity.risk_level == level)
    found = keyset.page(query, Entity.id, request.args.get("after", type=int), PER_PAGE)
    everyone = jurisdictions.scope(select(Entity.id), Entity.jurisdiction_id, current_user)
    counts = {lvl: keyset.label(*keyset.count(everyone.where(Entity.risk_level == lvl))) for lvl in risk.LEVELS}
    return render_template("directory/entities.html", found=found, q=q, level=level, counts=counts,
                           can_import=can_import("entities"))


from webapp.faces.department.directory import batches, forwarded, items, roster  # noqa: E402,F401  (routes register on bp)
