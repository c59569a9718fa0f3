"""Check-in posters (扫码入企) for the office and department admins, and PNG images of the codes for print."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from webapp.core import qrcodes as images
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.faces.auth.gate import role_required
from webapp.stages.accounts import jurisdictions
from webapp.stages.directory.models import Entity
from webapp.stages.plans.models import Plan
from webapp.stages.records.access import can_see_record
from webapp.stages.records.models import InspectionRecord

bp = Blueprint("qr", __name__)

POSTER_ROLES = (roles.OFFICE_ADMIN, roles.DEPT_ADMIN)


def _poster(entity: Entity) -> dict:
    url = images.checkin_url(entity)
    return {"entity": entity, "url": url, "qr": images.data_url(url, box_size=10)}


@bp.route("/qr/posters/")
@role_required(*POSTER_ROLES)
def posters_index():
    q = (request.args.get("q") or "").strip()[:100]
    plans = db.session.execute(
        select(Plan, func.count(InspectionRecord.id))
        .join(InspectionRecord, InspectionRecord.plan_id == Plan.id)
        .group_by(Plan.id).order_by(Plan.window_start.desc())
    ).all()
    found = []
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = db.session.scalars(
            select(Entity).where(or_(Entity.name.like(pattern, escape="\\"),
                                     Entity.uscc.like(pattern.upper(), escape="\\")))
            .order_by(Entity.name).limit(30)
        ).all()
    return render_template("qr/posters_index.html", plans=plans, q=q, found=found)


@bp.route("/qr/posters/entity/<int:entity_id>")
@role_required(*POSTER_ROLES)
def entity_poster(entity_id):
    entity = db.get_or_404(Entity, entity_id)
    return render_template("qr/posters.html", posters=[_poster(entity)], title=entity.name, plan=None, four=False)


@bp.route("/qr/posters/plan/<int:plan_id>")
@role_required(*POSTER_ROLES)
def plan_posters(plan_id):
    plan = jurisdictions.owned_or_404(Plan, plan_id, current_user)
    entities = db.session.scalars(
        select(Entity).join(InspectionRecord, InspectionRecord.entity_id == Entity.id)
        .where(InspectionRecord.plan_id == plan.id).order_by(Entity.name)
    ).all()
    four = request.args.get("layout") == "4"  # four A5-sized posters on each A4 sheet
    return render_template("qr/posters.html", posters=[_poster(e) for e in entities],
                           title=f"{plan.doc_number} 扫码入企二维码", plan=plan, four=four)


@bp.route("/qr/checkin/<int:entity_id>.png")
@role_required(*POSTER_ROLES)
def checkin_png(entity_id):
    entity = db.get_or_404(Entity, entity_id)
    return images.png_response(images.png(images.checkin_url(entity), box_size=10), f"checkin-{entity.uscc}.png")


@bp.route("/qr/record/<token>.png")
@login_required
def record_png(token):
    record = db.session.scalar(select(InspectionRecord).where(InspectionRecord.token == token))
    if record is None:
        abort(404)
    if not can_see_record(current_user, record):
        abort(403)
    return images.png_response(images.png(images.record_url(record)), "record.png")

