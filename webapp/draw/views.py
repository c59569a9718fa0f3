"""Pages of the draw: the office's two ceremonies, the departments' confirmation, expert appointments, the
working-day overrides, and the public draw page (no login)."""
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..auth import role_required
from ..domain import draw as algo
from ..domain import roles
from ..extensions import db
from ..models import (
    CalendarOverride, Draw, DrawConfirmation, DrawExclusion, Entity, InspectionRecord, InspectorProfile, Plan,
    PlanDepartment,
)
from . import service
from .service import DrawRefused

bp = Blueprint("draw", __name__)

SHOWN = 500  # rows of a result shown on a page; the manifest has them all


def _entities_by_uscc(usccs) -> dict[str, Entity]:
    usccs = list(usccs)[:SHOWN]
    return {e.uscc: e for e in db.session.scalars(select(Entity).where(Entity.uscc.in_(usccs)))} if usccs else {}


def _done(message, endpoint, **kwargs):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **kwargs))


# --- office: the ceremonies ---------------------------------------------------------------------------------

@bp.route("/draw/")
@role_required(roles.OFFICE_ADMIN)
def index():
    plans = db.session.scalars(select(Plan).order_by(Plan.id.desc())).all()
    live = {(d.plan_id, d.kind): d for d in db.session.scalars(select(Draw).where(Draw.live == 1))}
    today = service.beijing_today()
    overdue = {}
    for conf in db.session.scalars(select(DrawConfirmation).where(DrawConfirmation.confirmed_at.is_(None))):
        if conf.overdue(today):
            overdue.setdefault(conf.draw.plan_id, []).append(conf.department.name)
    return render_template("draw/index.html", plans=plans, live=live, overdue=overdue, today=today)


@bp.route("/draw/plans/<int:plan_id>")
@role_required(roles.OFFICE_ADMIN)
def plan_view(plan_id):
    plan = db.get_or_404(Plan, plan_id)
    ent = service.live_draw(plan.id, algo.ENTITIES)
    insp = service.live_draw(plan.id, algo.INSPECTORS)
    shown = []
    if ent is not None and ent.status == "executed":
        shown = ent.result["selected"][:SHOWN]
    names = _entities_by_uscc(row[0] for row in shown)
    records = db.session.scalars(
        select(InspectionRecord).where(InspectionRecord.plan_id == plan.id).order_by(InspectionRecord.id).limit(SHOWN)
    ).all()
    counts = dict(db.session.execute(
        select(InspectionRecord.understaffed, func.count()).where(InspectionRecord.plan_id == plan.id)
        .group_by(InspectionRecord.understaffed)).all())
    needs_expert = db.session.scalar(select(func.count()).select_from(InspectionRecord).where(
        InspectionRecord.plan_id == plan.id, InspectionRecord.needs_expert.is_(True)))
    return render_template(
        "draw/plan.html", plan=plan, ent=ent, insp=insp, attempts=service.draws_of(plan.id), shown=shown,
        names=names, records=records, total_records=sum(counts.values()), understaffed=counts.get(True, 0),
        needs_expert=needs_expert, pending=service.pending_confirmations(plan), today=service.beijing_today(),
    )


@bp.route("/draw/plans/<int:plan_id>/prepare", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def prepare(plan_id):
    plan = db.get_or_404(Plan, plan_id)
    kind = request.form.get("kind", algo.ENTITIES)
    try:
        draw = service.prepare(plan, kind, current_user, request.remote_addr)
    except DrawRefused as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("draw.plan_view", plan_id=plan.id))
    return _done(f"已准备第 {draw.id} 号抽取并公布承诺值。执行前请宣读摘要和承诺值。", "draw.plan_view",
                 plan_id=plan.id, _anchor=f"draw-{draw.id}")


@bp.route("/draw/<int:draw_id>/execute", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def execute(draw_id):
    draw = db.get_or_404(Draw, draw_id)
    try:
        service.execute(draw, request.form.get("witness", ""), current_user, request.remote_addr)
    except DrawRefused as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("draw.plan_view", plan_id=draw.plan_id))
    return _done(f"第 {draw.id} 号抽取已执行，结果已公开。", "draw.plan_view", plan_id=draw.plan_id,
                 _anchor=f"draw-{draw.id}")


@bp.route("/draw/<int:draw_id>/abandon", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def abandon(draw_id):
    draw = db.get_or_404(Draw, draw_id)
    try:
        service.abandon(draw, request.form.get("reason", ""), current_user, request.remote_addr)
    except DrawRefused as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("draw.plan_view", plan_id=draw.plan_id))
    return _done(f"第 {draw.id} 号抽取已作废，理由已公开。", "draw.plan_view", plan_id=draw.plan_id)


# --- department admins: 比对和确认 -----------------------------------------------------------------------------

def _own_confirmation(conf_id) -> DrawConfirmation:
    conf = db.get_or_404(DrawConfirmation, conf_id)
    if conf.department_id != current_user.department_id:
        abort(403)
    return conf


@bp.route("/draw/confirm/")
@role_required(roles.DEPT_ADMIN)
def confirmations():
    confs = db.session.scalars(
        select(DrawConfirmation).where(DrawConfirmation.department_id == current_user.department_id)
        .order_by(DrawConfirmation.id.desc())
    ).all()
    return render_template("draw/confirmations.html", confs=confs, today=service.beijing_today())


@bp.route("/draw/confirm/<int:conf_id>")
@role_required(roles.DEPT_ADMIN)
def confirmation(conf_id):
    conf = _own_confirmation(conf_id)
    rows = conf.draw.result["selected"]
    excluded = {ex.uscc: ex for ex in conf.exclusions}
    return render_template(
        "draw/confirm.html", conf=conf, rows=rows[:SHOWN], total=len(rows),
        names=_entities_by_uscc(r[0] for r in rows), excluded=excluded, reasons=DrawExclusion.REASONS,
        today=service.beijing_today(),
    )


@bp.route("/draw/confirm/<int:conf_id>/exclude", methods=["POST"])
@role_required(roles.DEPT_ADMIN)
def exclude(conf_id):
    conf = _own_confirmation(conf_id)
    entity = db.session.scalar(select(Entity).where(Entity.uscc == request.form.get("uscc", "")))
    try:
        if entity is None:
            raise DrawRefused("没有这个检查对象。")
        service.exclude(conf, entity, request.form.get("reason", ""), request.form.get("note", ""), current_user)
    except DrawRefused as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("draw.confirmation", conf_id=conf.id))
    return _done(f"已排除“{entity.name}”。", "draw.confirmation", conf_id=conf.id)


@bp.route("/draw/confirm/<int:conf_id>/exclusions/<int:ex_id>/remove", methods=["POST"])
@role_required(roles.DEPT_ADMIN)
def remove_exclusion(conf_id, ex_id):
    conf = _own_confirmation(conf_id)
    ex = db.get_or_404(DrawExclusion, ex_id)
    if ex.confirmation_id != conf.id:
        abort(404)
    try:
        service.remove_exclusion(conf, ex, current_user)
    except DrawRefused as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("draw.confirmation", conf_id=conf.id))
    return _done("已撤销排除。", "draw.confirmation", conf_id=conf.id)


@bp.route("/draw/confirm/<int:conf_id>/confirm", methods=["POST"])
@role_required(roles.DEPT_ADMIN)
def confirm(conf_id):
    conf = _own_confirmation(conf_id)
    try:
        service.confirm(conf, current_user)
    except DrawRefused as e:
        db.session.rollback()
        flash(str(e), "error")
        return redirect(url_for("draw.confirmation", conf_id=conf.id))
    return _done("已确认本部门的检查对象名单。", "draw.confirmation", conf_id=conf.id)


# --- department admins: experts (专业人员) -------------------------------------------------------------------

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
    record = db.get_or_404(InspectionRecord, record_id)
    # A department on the team, or one the draw left without enough people there.
    if current_user.department_id not in {m.department_id for m in record.members} | set(service.shortfall(record)):
        abort(403)
    if request.method == "POST":
        profile = db.session.get(InspectorProfile, request.form.get("inspector", type=int) or 0)
        try:
            if profile is None:
                raise DrawRefused("请选择要选派的人员。")
            service.appoint_expert(record, profile, request.form.get("reason", ""), current_user)
        except DrawRefused as e:
            db.session.rollback()
            flash(str(e), "error")
        else:
            return _done(f"已选派 {profile.name} 协助检查。", "draw.appoint", record_id=record.id)
    team = {m.inspector_id for m in record.members}
    candidates = db.session.scalars(
        select(InspectorProfile).where(InspectorProfile.department_id == current_user.department_id,
                                       InspectorProfile.status == "active")
        .order_by(InspectorProfile.is_expert.desc(), InspectorProfile.certificate_no)
    ).all()
    return render_template("draw/expert.html", record=record, missing=service.missing_qualifications(record),
                           short=service.shortfall(record).get(current_user.department_id, 0),
                           candidates=[p for p in candidates if p.id not in team])


# --- office: working-day overrides ---------------------------------------------------------------------------

@bp.route("/draw/calendar", methods=["GET", "POST"])
@role_required(roles.OFFICE_ADMIN)
def calendar():
    if request.method == "POST":
        try:
            day = date.fromisoformat(request.form.get("day", ""))
        except ValueError:
            flash("请填写正确的日期，例如 2027-02-08。", "error")
        else:
            works = request.form.get("is_workday") == "1"
            service.set_override(day, works, request.form.get("note", ""), current_user)
            return _done(f"已将 {day.isoformat()} 设为{'工作日' if works else '休息日'}，并重新计算了未结事项的期限。",
                         "draw.calendar")
    rows = db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day.desc())).all()
    provisional = db.session.scalars(select(InspectionRecord).where(
        InspectionRecord.due_provisional.is_(True), InspectionRecord.status.in_(service.OPEN_RECORD_STATUSES))
        .limit(50)).all()
    return render_template("draw/calendar.html", rows=rows, provisional=provisional,
                           pending=db.session.scalars(select(DrawConfirmation).where(
                               DrawConfirmation.confirmed_at.is_(None))).all())


@bp.route("/draw/calendar/<day>/delete", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def calendar_delete(day):
    try:
        service.delete_override(date.fromisoformat(day), current_user)
    except (ValueError, DrawRefused) as e:
        db.session.rollback()
        flash(str(e) if isinstance(e, DrawRefused) else "日期格式不正确。", "error")
        return redirect(url_for("draw.calendar"))
    return _done(f"已删除 {day} 的调整，并重新计算了未结事项的期限。", "draw.calendar")


# --- public (no login) ---------------------------------------------------------------------------------------

@bp.route("/public/draws")
def public_list():
    draws = db.session.scalars(select(Draw).order_by(Draw.plan_id.desc(), Draw.id)).all()
    plans = {}
    for d in draws:
        plans.setdefault(d.plan, []).append(d)
    return render_template("draw/public_list.html", plans=plans)


@bp.route("/public/draws/<int:draw_id>")
def public_draw(draw_id):
    draw = db.get_or_404(Draw, draw_id)
    rows = []
    if draw.status == "executed":
        rows = draw.result["selected"] if draw.kind == algo.ENTITIES else draw.result["entities"]
    names = _entities_by_uscc(r[0] for r in rows)
    teams = {}
    if draw.kind == algo.INSPECTORS and draw.status == "executed":
        for t in draw.result["teams"]:
            teams.setdefault(t["uscc"], []).append(t)
    return render_template("draw/public_draw.html", draw=draw, rows=rows[:SHOWN], total=len(rows), names=names,
                           teams=teams)


@bp.route("/public/draws/<int:draw_id>/manifest.json")
def public_manifest(draw_id):
    draw = db.get_or_404(Draw, draw_id)
    try:
        chunks = service.manifest_chunks(draw)
    except DrawRefused as e:
        abort(404, str(e))
    return Response((c.encode("utf-8") for c in chunks), mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename=draw-{draw.id}-manifest.json"})


# --- home-page lines -----------------------------------------------------------------------------------------

@bp.app_template_global()
def draw_waiting(department_id=None) -> dict:
    """What the draw asks of a department (its lists to confirm, records needing an expert) or, without a
    department, of the office (confirmations past their deadline)."""
    today = service.beijing_today()
    query = select(DrawConfirmation).where(DrawConfirmation.confirmed_at.is_(None))
    if department_id is not None:
        query = query.where(DrawConfirmation.department_id == department_id)
    confs = db.session.scalars(query.order_by(DrawConfirmation.deadline)).all()
    return {"confirmations": confs, "overdue": [c for c in confs if c.overdue(today)], "today": today}
