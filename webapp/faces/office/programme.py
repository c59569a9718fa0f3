"""The annual programme (年度抽查计划): list, make and edit, tasks, 报上级备案, publication, progress; and the
jurisdiction's time limits and 无事不扰 cap. Thin views over stages.plans.annual / limits and
stages.publication.programme."""
from flask import Blueprint, abort, flash, render_template, request
from flask_login import current_user

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import programme, roles
from webapp.faces.auth.gate import role_required
from webapp.faces.pages import done
from webapp.stages.accounts.models import Jurisdiction
from webapp.stages.plans import annual as annuals
from webapp.stages.plans import limits
from webapp.stages.plans.models import Plan
from webapp.stages.publication.programme import progress

bp = Blueprint("programme", __name__, url_prefix="/programme")

VIEWERS = (roles.OFFICE_ADMIN, roles.DEPT_ADMIN)


def _found(annual_id: int):
    """The annual plan if the user's jurisdictions include it; 404 otherwise (an id guessed reveals nothing)."""
    annual = annuals.get(current_user, annual_id)
    if annual is None:
        abort(404)
    return annual


def _administered(annual_id: int):
    annual = _found(annual_id)
    if not annuals.may_administer(current_user, annual):
        abort(403, "只有本辖区的双随机办可以修改年度计划；上级只能查看。")
    return annual


def _own_jurisdiction() -> Jurisdiction:
    if current_user.jurisdiction_id is None:
        abort(403, "账号未分配辖区，不能管理年度计划。")
    return db.session.get(Jurisdiction, current_user.jurisdiction_id)


@bp.route("")
@role_required(*VIEWERS)
def index():
    return render_template("programme/index.html", annuals=annuals.listed(current_user),
                           may_create=current_user.has_role(roles.OFFICE_ADMIN) and current_user.jurisdiction_id)


@bp.route("/<int:annual_id>")
@role_required(*VIEWERS)
def show(annual_id):
    annual = _found(annual_id)
    admin = current_user.has_role(roles.OFFICE_ADMIN) and annuals.may_administer(current_user, annual)
    linkable = [p for p in annuals.linkable(annual) if p.window_start.year == annual.year] if admin else []
    return render_template("programme/show.html", annual=annual, p=progress(annual), admin=admin, linkable=linkable,
                           FIGURES=programme.FIGURES, LABELS=programme.LABELS, percent=programme.percent,
                           limits=limits.of(annual.jurisdiction_id))


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:annual_id>/edit", methods=["GET", "POST"])
@role_required(roles.OFFICE_ADMIN)
def edit(annual_id=None):
    annual = _administered(annual_id) if annual_id else None
    jurisdiction = annual.jurisdiction if annual else _own_jurisdiction()
    departments = annuals.departments_of(jurisdiction.id)
    errors, values = {}, None
    if request.method == "POST":
        p, errors = annuals.parse(request.form, {d.id for d in departments})
        if not errors:
            annual = annuals.save(annual, p, jurisdiction.id, user=current_user)
            return done("年度计划已保存。", "programme.show", annual_id=annual.id)
        values = p
        flash("请修改标出的内容后再保存。", "error")
    elif annual is not None:
        values = annuals.AnnualInput(
            year=annual.year, doc_number=annual.doc_number, title=annual.title, issuer=annual.issuer,
            issued_on=annual.issued_on, planned_tasks=annual.planned_tasks, notes=annual.notes,
            department_ids=[d.department_id for d in annual.departments])
    else:
        values = annuals.AnnualInput(year=clock.today().year, issuer=f"{jurisdiction.name}“双随机、一公开”监管工作领导小组办公室",
                                     department_ids=[d.id for d in departments])
    return render_template("programme/edit.html", annual=annual, values=values, errors=errors,
                           departments=departments, jurisdiction=jurisdiction)


@bp.route("/<int:annual_id>/tasks", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def add_task(annual_id):
    annual = _administered(annual_id)
    plan = db.session.get(Plan, request.form.get("plan_id", type=int) or 0)
    if plan is None or plan not in annuals.linkable(annual):
        abort(404)
    annuals.link_task(annual, plan, user=current_user)
    return done(f"已将“{plan.doc_number}”列为年度计划的任务。", "programme.show", annual_id=annual.id)


@bp.route("/<int:annual_id>/tasks/<int:plan_id>/remove", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def remove_task(annual_id, plan_id):
    annual = _administered(annual_id)
    plan = db.get_or_404(Plan, plan_id)
    annuals.unlink_task(annual, plan, user=current_user)
    return done(f"“{plan.doc_number}”已不再是年度计划的任务。", "programme.show", annual_id=annual.id)


# What the annual plan's page can do to it as a whole: the stage's step, and what the office is told afterwards.
_STEPS = {
    "file": (annuals.file, lambda annual: f"已报{annual.filed_to.name}备案。"),
    "publish": (annuals.publish, lambda annual: "年度计划已向社会公开。"),
}


@bp.route("/<int:annual_id>/<any(file, publish):step>", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def take_step(annual_id, step):
    annual = _administered(annual_id)
    act, said = _STEPS[step]
    act(annual, user=current_user)
    return done(said(annual), "programme.show", annual_id=annual.id)


@bp.route("/limits", methods=["GET", "POST"])
@role_required(roles.OFFICE_ADMIN)
def limits_page():
    jurisdiction = _own_jurisdiction()
    current = limits.of(jurisdiction.id)
    if request.method == "POST":
        limits.save(jurisdiction.id, programme.parse_limits(request.form), user=current_user)
        return done("时限与抽查次数上限已保存；此后制定的计划按新时限执行。", "programme.limits_page")
    return render_template("programme/limits.html", jurisdiction=jurisdiction, limits=current)
