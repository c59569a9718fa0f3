"""The office's draw pages: the two ceremonies of a plan and the working-day overrides; and the home-page lines
of what the draw waits for."""
from datetime import date

from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from webapp.core import clock, errors
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain import moments, roles
from webapp.domain.refusal import Refused
from webapp.domain.status import OPEN
from webapp.faces import jobs as job_pages
from webapp.faces.auth.gate import role_required
from webapp.faces.pages import done
from webapp.stages.accounts import jurisdictions
from webapp.stages.directory.models import Entity
from webapp.stages.draw import ceremony as service
from webapp.stages.draw import disclosure, selection
from webapp.stages.draw.models import Draw, DrawConfirmation
from webapp.stages.plans.models import CalendarOverride, Plan
from webapp.stages.records import deadlines, dispatch
from webapp.stages.records.models import InspectionRecord

bp = Blueprint("draw", __name__)

SHOWN = 500  # rows of a result shown on a page; the manifest has them all


def _entities_by_uscc(usccs) -> dict[str, Entity]:
    usccs = list(usccs)[:SHOWN]
    return {e.uscc: e for e in db.session.scalars(select(Entity).where(Entity.uscc.in_(usccs)))} if usccs else {}


# --- office: the ceremonies ---------------------------------------------------------------------------------

@bp.route("/draw/")
@role_required(roles.OFFICE_ADMIN)
def index():
    plans = db.session.scalars(jurisdictions.scope(select(Plan), Plan.jurisdiction_id, current_user)
        .order_by(Plan.id.desc())).all()
    live = {(d.plan_id, d.kind): d for d in db.session.scalars(select(Draw).where(Draw.live == 1))}
    today = clock.today()
    overdue = {}
    for conf in db.session.scalars(select(DrawConfirmation).where(DrawConfirmation.confirmed_at.is_(None))):
        if conf.overdue(today):
            overdue.setdefault(conf.draw.plan_id, []).append(conf.department.name)
    return render_template("draw/index.html", plans=plans, live=live, overdue=overdue, today=today)


@bp.route("/draw/plans/<int:plan_id>")
@role_required(roles.OFFICE_ADMIN)
def plan_view(plan_id):
    plan = jurisdictions.owned_or_404(Plan, plan_id, current_user)
    ent = service.live_draw(plan.id, algo.ENTITIES)
    insp = service.live_draw(plan.id, algo.INSPECTORS)
    shown = []
    if ent is not None and ent.status == "executed":
        shown = selection.rows(ent.id, SHOWN)
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
        needs_expert=needs_expert, pending=service.pending_confirmations(plan), today=clock.today(),
    )


@bp.route("/draw/plans/<int:plan_id>/prepare", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def prepare(plan_id):
    plan = jurisdictions.run_or_404(Plan, plan_id, current_user)  # a district's draw is its office's
    errors.back_to(url_for("draw.plan_view", plan_id=plan.id))
    draw = service.prepare(plan, request.form.get("kind", algo.ENTITIES), current_user, request.remote_addr)
    return done(f"已准备第 {draw.id} 号抽取并公布承诺值。执行前请宣读摘要和承诺值。", "draw.plan_view",
                plan_id=plan.id, _anchor=f"draw-{draw.id}")


def _ceremony_draw(draw_id) -> Draw:
    """The draw a ceremony acts on; a refusal goes back to its plan's page."""
    draw = jurisdictions.run_or_404(Draw, draw_id, current_user)
    errors.back_to(url_for("draw.plan_view", plan_id=draw.plan_id))
    return draw


@bp.route("/draw/<int:draw_id>/execute", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def execute(draw_id):
    draw = _ceremony_draw(draw_id)
    job = dispatch.start_execute(draw, request.form.get("witness", ""), current_user, request.remote_addr)
    return job_pages.started(job, f"第 {draw.id} 号抽取已执行，结果已公开。", "draw.plan_view", plan_id=draw.plan_id,
                             _anchor=f"draw-{draw.id}")


@bp.route("/draw/<int:draw_id>/abandon", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def abandon(draw_id):
    draw = _ceremony_draw(draw_id)
    service.abandon(draw, request.form.get("reason", ""), current_user, request.remote_addr)
    return done(f"第 {draw.id} 号抽取已作废，理由已公开。", "draw.plan_view", plan_id=draw.plan_id)


@bp.route("/draw/<int:draw_id>/disclose", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def disclose(draw_id):
    """The office's early disclosure of a manifest (audited, logged), before the plan's window has closed."""
    draw = _ceremony_draw(draw_id)
    disclosure.disclose(draw, request.form.get("reason", ""), current_user, request.remote_addr)
    return done(f"第 {draw.id} 号抽取的清单已提前公开，理由已公开并记入透明日志。", "draw.plan_view",
                plan_id=draw.plan_id, _anchor=f"draw-{draw.id}")


@bp.route("/draw/<int:draw_id>/manifest.json")
@role_required(roles.OFFICE_ADMIN, roles.DEPT_ADMIN)
def full_manifest(draw_id):
    """The full manifest before disclosure: the office's whole, a department admin's own part (its department
    takes part in the plan)."""
    import json

    draw = jurisdictions.owned_or_404(Draw, draw_id, current_user)
    if draw.status != "executed":
        abort(404)
    headers = {"Content-Disposition": f"attachment; filename=draw-{draw.id}-manifest.json",
               "Cache-Control": "private, no-store"}
    if current_user.has_role(roles.OFFICE_ADMIN):
        return Response((c.encode("utf-8") for c in disclosure.manifest_chunks(draw)), mimetype="application/json",
                        headers=headers)
    code = service.department_codes(draw.plan).get(current_user.department_id)
    if code is None:
        abort(403)
    return Response(json.dumps(disclosure.department_part(draw, code), ensure_ascii=False), mimetype="application/json",
                    headers=headers)


# --- office: working-day overrides ---------------------------------------------------------------------------

@bp.route("/draw/calendar", methods=["GET", "POST"])
@role_required(roles.OFFICE_ADMIN)
def calendar():
    if request.method == "POST":
        try:
            day = moments.day(request.form.get("day", ""), "日期")
        except moments.OutOfRange as refused:  # malformed, or outside 2000–2099 (9999-12-31 overflowed)
            flash(f"{refused.message}例如 2027-02-08。", "error")
        else:
            works = request.form.get("is_workday") == "1"
            deadlines.set_override(day, works, request.form.get("note", ""), current_user)
            return done(f"已将 {day.isoformat()} 设为{'工作日' if works else '休息日'}，并重新计算了未结事项的期限。",
                        "draw.calendar")
    rows = db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day.desc())).all()
    # The calendar is the province's; the open items it moves are listed for the office's own jurisdictions.
    provisional = db.session.scalars(jurisdictions.scope(select(InspectionRecord).join(
        Plan, Plan.id == InspectionRecord.plan_id), Plan.jurisdiction_id, current_user).where(
        InspectionRecord.due_provisional.is_(True), InspectionRecord.status.in_(OPEN))
        .limit(50)).all()
    pending = jurisdictions.scope(select(DrawConfirmation).join(Draw, Draw.id == DrawConfirmation.draw_id)
                                  .join(Plan, Plan.id == Draw.plan_id), Plan.jurisdiction_id, current_user)
    return render_template("draw/calendar.html", rows=rows, provisional=provisional,
                           pending=db.session.scalars(pending.where(DrawConfirmation.confirmed_at.is_(None))).all())


@bp.route("/draw/calendar/<day>/delete", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def calendar_delete(day):
    errors.back_to(url_for("draw.calendar"))
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise Refused("日期格式不正确。", 400) from None
    deadlines.delete_override(when, current_user)
    return done(f"已删除 {day} 的调整，并重新计算了未结事项的期限。", "draw.calendar")


# --- home-page lines -----------------------------------------------------------------------------------------

@bp.app_template_global()
def draw_waiting(department_id=None) -> dict:
    """What the draw asks of a department (its lists to confirm, records needing an expert) or, without a
    department, of the office (confirmations past their deadline, of the plans of the jurisdictions it sees)."""
    today = clock.today()
    query = select(DrawConfirmation).where(DrawConfirmation.confirmed_at.is_(None))
    if department_id is not None:
        query = query.where(DrawConfirmation.department_id == department_id)
    else:
        query = jurisdictions.scope(query.join(Draw).join(Plan), Plan.jurisdiction_id, current_user)
    confs = db.session.scalars(query.order_by(DrawConfirmation.deadline)).all()
    return {"confirmations": confs, "overdue": [c for c in confs if c.overdue(today)], "today": today}
