"""Report pages: the printable 一企一表 and its PDF, the plan's XLSX exports, the dashboard and the feedback form."""
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.core import audit, clock, errors
from webapp.core.extensions import db
from webapp.domain import results, roles
from webapp.faces import jobs as job_pages
from webapp.faces.auth.gate import role_required
from webapp.faces.reports import background, dashboard, document, exports
from webapp.stages.accounts import jurisdictions
from webapp.stages.plans.models import Plan
from webapp.stages.records.access import can_see_record
from webapp.stages.records.models import InspectionRecord, RecordMember
from webapp.stages.review.models import Feedback

bp = Blueprint("reports", __name__, url_prefix="/reports")

XLSX = exports.XLSX
REPORT_ROLES = (roles.OFFICE_ADMIN, roles.DEPT_ADMIN, roles.REVIEWER)
FEEDBACK_MAX = 2000


def _visible_record(record_id: int) -> InspectionRecord:
    """The record for its team and reviewers, also of a plan run above their district (a city-wide plan's mixed
    team); else 403 in the jurisdictions the user sees and 404 in another."""
    record = db.get_or_404(InspectionRecord, record_id)
    if not can_see_record(current_user, record):
        abort(403 if jurisdictions.sees(current_user, record.plan.jurisdiction_id) else 404)
    return record


@bp.route("/records/<int:record_id>/print")
@login_required
def record_print(record_id):
    record = _visible_record(record_id)
    return document.render(record)


@bp.route("/records/<int:record_id>/pdf")
@login_required
def record_pdf(record_id):
    record = _visible_record(record_id)
    data = document.pdf(record)
    name = f"一企一表-{record.entity.uscc}.pdf"
    audit.record("report.pdf", record)
    db.session.commit()
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _plan_for_reports(plan_id: int) -> Plan:
    plan = jurisdictions.owned_or_404(Plan, plan_id, current_user)
    if dashboard.scope(current_user) is None and not current_user.has_role(roles.OFFICE_ADMIN):
        abort(403)  # a department role without a department sees nothing
    return plan


def _xlsx(data: bytes, name: str):
    response = send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/plans/<int:plan_id>/results.xlsx")
@role_required(*REPORT_ROLES)
def results_xlsx(plan_id):
    plan = _plan_for_reports(plan_id)
    data, rows = background.results_export(plan, dashboard.scope(current_user))  # before the commit
    audit.record("report.results_xlsx", plan, rows=rows)
    db.session.commit()
    return _xlsx(data, f"检查结果-{plan.doc_number}.xlsx")


@bp.route("/plans/<int:plan_id>/teams.xlsx")
@role_required(*REPORT_ROLES)
def teams_xlsx(plan_id):
    plan = _plan_for_reports(plan_id)
    data, rows = background.teams_export(plan, dashboard.scope(current_user))
    audit.record("report.teams_xlsx", plan, rows=rows)
    db.session.commit()
    return _xlsx(data, f"抽取名单及检查组-{plan.doc_number}.xlsx")


@bp.route("/plans/<int:plan_id>/exports/<kind>", methods=["POST"])
@role_required(*REPORT_ROLES)
def export_job(plan_id, kind):
    """A large export as a background job: the dashboard shows its progress, then the download."""
    if kind not in ("results", "teams"):
        abort(404)
    plan = _plan_for_reports(plan_id)
    errors.back_to(url_for("reports.dashboard_view", plan=plan.id))
    job = background.start_export(kind, plan, current_user)
    return job_pages.started(job, "导出完成。", "reports.dashboard_view", plan=plan.id)


@bp.route("/plans/<int:plan_id>/bundle", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def bundle(plan_id):
    """The plan's bundle (every 一企一表 PDF and an index XLSX in one ZIP), made by a background job."""
    plan = _plan_for_reports(plan_id)
    errors.back_to(url_for("reports.dashboard_view", plan=plan.id))
    job = background.start_bundle(plan, current_user)
    return job_pages.started(job, "打包完成。", "reports.dashboard_view", plan=plan.id)


def _plans():
    return db.session.scalars(jurisdictions.scope(select(Plan), Plan.jurisdiction_id, current_user)
        .order_by(Plan.window_start.desc(), Plan.id.desc())).all()


@bp.route("/dashboard")
@role_required(*REPORT_ROLES)
def dashboard_view():
    if dashboard.scope(current_user) is None and not current_user.has_role(roles.OFFICE_ADMIN):
        abort(403)  # a department role without a department sees nothing
    plans = _plans()
    if not plans:
        return render_template("reports/dashboard.html", plans=[], data=None)
    plan_id = request.args.get("plan", type=int) or plans[0].id
    plan = next((p for p in plans if p.id == plan_id), None)
    if plan is None:
        abort(404)
    data = dashboard.build(current_user, plan, clock.today())
    return render_template("reports/dashboard.html", plans=plans, categories=results.CATEGORIES, data=data,
                           direct_exports=data["records"] <= current_app.config.get("EXPORTS_DIRECT_MAX", 2000))


def _feedback_plans():
    """Plans the inspector worked on; any plan that is not a draft when they have no record yet."""
    if current_user.profile is not None:
        mine = db.session.scalars(
            select(Plan).where(Plan.id.in_(
                select(InspectionRecord.plan_id).join(RecordMember, RecordMember.record_id == InspectionRecord.id)
                .where(RecordMember.inspector_id == current_user.profile.id)
            )).order_by(Plan.window_start.desc())
        ).all()
        if mine:
            return mine
    return db.session.scalars(jurisdictions.scope(select(Plan), Plan.jurisdiction_id, current_user)
        .where(Plan.status != "draft").order_by(Plan.window_start.desc())).all()


@bp.route("/feedback", methods=["GET", "POST"])
@role_required(roles.INSPECTOR, roles.EXPERT)
def feedback():
    plans = _feedback_plans()
    form = {k: (request.form.get(k) or "").strip() for k in ("highlights", "lessons", "problems")}
    errors = {}
    if request.method == "POST":
        plan = next((p for p in plans if p.id == request.form.get("plan_id", type=int)), None)
        if plan is None:
            errors["plan_id"] = "请选择抽查计划。"
        if not any(form.values()):
            errors["highlights"] = "请至少填写一项：工作亮点、经验做法或存在问题。"
        for key, value in form.items():
            if len(value) > FEEDBACK_MAX:
                errors[key] = f"不能超过 {FEEDBACK_MAX} 字。"
        if not errors:
            item = Feedback(plan_id=plan.id, user_id=current_user.id, **form)
            db.session.add(item)
            db.session.flush()
            audit.record("feedback.submit", item, plan_id=plan.id)
            db.session.commit()
            flash("信息反馈已提交，感谢您的意见。", "success")
            return redirect(url_for("reports.feedback"))
    mine = db.session.scalars(
        select(Feedback).where(Feedback.user_id == current_user.id).order_by(Feedback.at.desc())
    ).all()
    return render_template("reports/feedback.html", plans=plans, form=form, errors=errors, mine=mine,
                           selected=request.form.get("plan_id", type=int),
                           max_len=FEEDBACK_MAX), (422 if errors else 200)
