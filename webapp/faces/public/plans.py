"""公开在先 (issue 15 §1), no login: each jurisdiction's published annual plans and their tasks — what will be
checked, by which departments, when, the items with their legal basis, the eligibility rules and ratios. Never who
was drawn or who inspects them: that is the draw pages' business, and only once the manifest is revealed
(`disclosure.disclosed`: the plan's window has closed, or the office disclosed it)."""
from flask import abort, render_template, request
from sqlalchemy import select

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import risk
from webapp.faces.public import bp
from webapp.stages.accounts.models import Jurisdiction
from webapp.stages.directory.models import CheckItem
from webapp.stages.draw import ceremony, disclosure
from webapp.stages.plans import annual as annuals


@bp.route("/public/plans")
def annual_plans():
    code = (request.args.get("j") or "").strip()[:6]
    place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code)) if code else None
    plans = annuals.public(place.id if place else None)
    places = db.session.scalars(select(Jurisdiction).where(Jurisdiction.id.in_(
        {a.jurisdiction_id for a in annuals.public()} or {-1})).order_by(Jurisdiction.code)).all()
    return render_template("public/plans.html", plans=plans, place=place, places=places)


@bp.route("/public/plans/<int:annual_id>")
def annual_plan(annual_id):
    annual = annuals.published(annual_id)
    if annual is None:
        abort(404, "未找到该年度抽查计划，或尚未公开。")
    return render_template("public/plan.html", annual=annual)


@bp.route("/public/plans/<int:annual_id>/tasks/<int:plan_id>")
def task(annual_id, plan_id):
    plan = annuals.published_task(annual_id, plan_id)
    if plan is None:
        abort(404, "未找到该抽查任务，或所属年度计划尚未公开。")
    draw = ceremony.entity_draw(plan.id)
    return render_template("public/task.html", plan=plan, annual=plan.annual_plan, draw=draw,
                           revealed=draw is not None and disclosure.disclosed(draw),
                           closed=plan.window_end < clock.today(), METHODS=CheckItem.METHODS,
                           LEVEL_LABELS=risk.LABELS)
