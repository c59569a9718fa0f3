"""The department admin's part of the draw: confirm or exclude (with a reason) its drawn enterprises within the
working days, and appoint experts (专业人员) to teams that lack a qualification or people."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.core import clock, errors
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.faces.auth.gate import role_required
from webapp.faces.office.draw import SHOWN, _entities_by_uscc
from webapp.faces.pages import done
from webapp.stages.accounts import jurisdictions
from webapp.stages.directory.models import Entity, InspectorProfile
from webapp.stages.draw import confirmation as confirming
from webapp.stages.draw import selection
from webapp.stages.draw.ceremony import DrawRefused
from webapp.stages.draw.models import DrawConfirmation, DrawExclusion
from webapp.stages.plans.models import PlanDepartment
from webapp.stages.records import teams
from webapp.stages.records.models import InspectionRecord

bp = Blueprint("confirm", __name__)


def _own_confirmation(conf_id) -> DrawConfirmation:
    """The department's own list, also of a plan run above its jurisdiction (a city-wide plan drawing in its
    district); another department's is 403 in the jurisdictions the user sees, else 404."""
    conf = db.get_or_404(DrawConfirmation, conf_id)
    if conf.department_id != current_user.department_id:
        abort(403 if jurisdictions.sees(current_user, jurisdictions.owner_of(conf)) else 404)
    return conf


def _acting_on(conf_id) -> DrawConfirmation:
    """The department's own confirmation, for a change to it; a refusal goes back to its page."""
    conf = _own_confirmation(conf_id)
    errors.back_to(url_for("confirm.confirmation", conf_id=conf.id))
    return conf


@bp.route("/draw/confirm/")
@role_required(roles.DEPT_ADMIN)
def confirmations():
    confs = db.session.scalars(
        select(DrawConfirmation).where(DrawConfirmation.department_id == current_user.department_id)
        .order_by(DrawConfirmation.id.desc())
    ).all()
    return render_template("draw/confirmations.html", confs=confs, today=clock.today())


@bp.route("/draw/confirm/<int:conf_id>")
@role_required(roles.DEPT_ADMIN)
def confirmation(conf_id):
    conf = _own_confirmation(conf_id)
    rows = selection.rows(conf.draw_id, SHOWN)
    excluded = {ex.uscc: ex for ex in conf.exclusions}
    return render_template(
        "draw/confirm.html", conf=conf, rows=rows, total=selection.count(conf.draw_id),
        names=_entities_by_uscc(r[0] for r in rows), excluded=excluded, reasons=DrawExclusion.REASONS,
        today=clock.today(),
    )


@bp.route("/draw/confirm/<int:conf_id>/exclude", methods=["POST"])
@role_required(roles.DEPT_ADMIN)
def exclude(conf_id):
    conf = _acting_on(conf_id)
    entity = db.session.scalar(select(Entity).where(Entity.uscc == request.form.get("uscc", "")))
    if entity is None:
        raise DrawRefused("没有这个检查对象。")
    confirming.exclude(conf, entity, request.form.get("reason", ""), request.form.get("note", ""), current_user)
    return done(f"已排除“{entity.name}”。", "confirm.confirmation", conf_id=conf.id)


@bp.route("/draw/confirm/<int:conf_id>/exclusions/<int:ex_id>/remove", methods=["POST"])
@role_required(roles.DEPT_ADMIN)
def remove_exclusion(conf_id, ex_id):
    conf = _acting_on(conf_id)
    ex = db.session.get(DrawExclusion, ex_id)
    if ex is None or ex.confirmation_id != conf.id:
        abort(404)
    confirming.remove_exclusion(conf, ex, current_user)
    return done("已撤销排除。", "confirm.confirmation", conf_id=conf.id)


@bp.route("/draw/confirm/<int:conf_id>/confirm", methods=["POST"])
@role_required(roles.DEPT_ADMIN)
def confirm(conf_id):
    conf = _acting_on(conf_id)
    confirming.confirm(conf, current_user)
    return done("已确认本部门的检查对象名单。", "confirm.confirmation", conf_id=conf.id)


@bp.route("/draw/experts/")
@role_required(roles.DEPT_ADMIN)
def experts():
    records = db.session.scalars(
        select(InspectionRecord).where(
            InspectionRecord.needs_expert.is_(True) | InspectionRecord.understaffed.is_(True),
            InspectionRecord.plan_id.in_(select(PlanDepartment.plan_id)
                                         .where(PlanDepartment.department_id == current_user.department_id)),
        ).order_by(InspectionRecord.id)
    ).all()
    return render_template("draw/experts.html", records=records)


@bp.route("/draw/records/<int:record_id>/expert", methods=["GET", "POST"])
@role_required(roles.DEPT_ADMIN)
def appoint(record_id):
    record = jurisdictions.owned_or_404(InspectionRecord, record_id, current_user)
    # A department on the team, or one the draw left without enough people there.
    if current_user.department_id not in {m.department_id for m in record.members} | set(teams.shortfall(record)):
        abort(403)
    if request.method == "POST":
        errors.show_again(lambda: _appoint_page(record))
        profile = db.session.get(InspectorProfile, request.form.get("inspector", type=int) or 0)
        if profile is None:
            raise DrawRefused("请选择要选派的人员。")
        teams.appoint_expert(record, profile, request.form.get("reason", ""), current_user)
        return done(f"已选派 {profile.name} 协助检查。", "confirm.appoint", record_id=record.id)
    return _appoint_page(record)


def _appoint_page(record: InspectionRecord):
    team = {m.inspector_id for m in record.members}
    candidates = db.session.scalars(
        select(InspectorProfile).where(InspectorProfile.department_id == current_user.department_id,
                                       InspectorProfile.status == "active")
        .order_by(InspectorProfile.is_expert.desc(), InspectorProfile.certificate_no)
    ).all()
    return render_template("draw/expert.html", record=record, missing=teams.missing_qualifications(record),
                           short=teams.shortfall(record).get(current_user.department_id, 0),
                           candidates=[p for p in candidates if p.id not in team])
