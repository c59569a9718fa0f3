"""Public pages, no login: search, the enterprise's published results, record and credential verification."""
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import publication, roles
from webapp.domain import uscc as uscc_rules
from webapp.faces.public import bp
from webapp.stages.publication import credentials, publishing, queries
from webapp.stages.publication.models import InspectorCredential
from webapp.stages.records.access import can_see_record
from webapp.stages.records.models import InspectionRecord


@bp.route("/public/")
def portal():
    q = (request.args.get("q") or "").strip()[:100]
    hits = queries.search(q) if q else []
    recent = [] if q else queries.recently_published()
    return render_template("public/portal.html", q=q, hits=hits, limit=queries.SEARCH_LIMIT, recent=recent,
                           labels=publication.result_labels, codes=queries.published_codes)


@bp.route("/public/enterprise/<uscc>")
def enterprise(uscc):
    entity = queries.entity_by_uscc(uscc)
    results = queries.published_results(entity) if entity else []
    if not results:
        abort(404, "未找到该单位的公示结果。")
    return render_template("public/enterprise.html", entity=entity, results=results)


def full_record_url(record, user) -> str | None:
    """Where a signed-in person who may see the record reads it in full: the review area's record page for
    reviewers and the office, else the 一企一表 print view (team members, department admins). Looked up in
    view_functions so this area works before or without those areas; None sends the person to the public page."""
    views = current_app.view_functions
    if user.has_role(roles.REVIEWER, roles.OFFICE_ADMIN) and "review.record" in views:
        return url_for("review.record", record_id=record.id)
    if "reports.record_print" in views:
        return url_for("reports.record_print", record_id=record.id)
    return None


@bp.route("/v/<token>")
def verify_record(token):
    record = db.session.scalar(select(InspectionRecord).where(InspectionRecord.token == token))
    if record is None:
        return render_template("public/not_genuine.html", what="record"), 404
    if current_user.is_authenticated and can_see_record(current_user, record):
        target = full_record_url(record, current_user)
        if target:
            return redirect(target)
    return render_template(
        "public/verify_record.html", record=record, entity=record.entity, result=queries.public_result(record),
        withdrawals=publishing.withdrawals_of(record),
    )


@bp.route("/credential/<token>")
def verify_credential(token):
    cred = db.session.scalar(select(InspectorCredential).where(InspectorCredential.token == token))
    if cred is None:
        return render_template("public/not_genuine.html", what="credential"), 404
    today = clock.today()
    valid = credentials.validity(cred, today)
    entered = (request.args.get("uscc") or "").strip().upper().replace(" ", "")[:18]
    checkin = (request.args.get("e") or "").strip()[:64]
    check = None  # (ok, message) of the assignment check
    status = 200
    if valid.ok and (entered or checkin):
        ip = request.remote_addr or "-"
        if entered and not uscc_rules.is_well_formed(entered):
            check = (False, "请输入 18 位统一社会信用代码（数字和大写字母）。")
        elif not credentials.check_allowed(cred, ip):
            check = (False, "核对次数过多，请一小时后再试；如有疑问，请联系双随机办核实。")
            status = 429
        else:
            credentials.note_check(cred, ip)
            entity = credentials.find_entity(checkin_token=checkin or None, uscc=entered or None)
            if entity is None:
                check = (False, "检查对象名录库中没有这个单位，无法核对。")
            else:
                record = credentials.current_assignment(cred.inspector, entity, today)
                if record:
                    check = (True, f"是：该执法人员在当前抽查计划“{record.plan.title}”中"
                                   f"被分配检查“{entity.name}”。")
                else:
                    check = (False, f"否：未查到该执法人员在当前抽查计划中被分配检查“{entity.name}”。"
                                    "如有疑问，请联系双随机办核实。")
    return render_template(
        "public/verify_credential.html", cred=cred, profile=cred.inspector, valid=valid, check=check,
        entered=entered, checkin=checkin, today=today,
    ), status
