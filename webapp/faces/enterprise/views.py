"""The inspected enterprise's own page: its record's token (the QR on the paper 一企一表) plus its USCC open it for
this browser's session; it shows the signed findings, each department's published result, the follow-ups, and
takes rectification evidence, objections and questions."""
from flask import redirect, render_template, request, session, url_for
from sqlalchemy import select

from webapp.core import clock, errors
from webapp.core.extensions import db
from webapp.domain import results
from webapp.domain.status import PartStatus
from webapp.faces.enterprise import bp
from webapp.faces.enterprise.common import client_ip
from webapp.faces.pages import done
from webapp.stages.enterprise import access, objections, questions, rectification
from webapp.stages.publication import queries
from webapp.stages.publication.models import FollowUpTask
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import parts as review_parts

SESSION_KEY = "enterprise_records"
KEEP = 20  # records one browser keeps open (an agent handling a few enterprises)


def _opened(token: str) -> InspectionRecord | None:
    if token not in session.get(SESSION_KEY, []):
        return None
    return db.session.scalar(select(InspectionRecord).where(InspectionRecord.token == token))


def _required(token: str) -> InspectionRecord:
    record = _opened(token)
    if record is None:
        errors.back_to(url_for("enterprise.page", token=token))
        raise access.AccessRefused("请先输入本单位的统一社会信用代码。")
    return record


@bp.route("/e/<token>", methods=["GET", "POST"])
def page(token):
    if request.method == "POST":
        errors.back_to(url_for("enterprise.page", token=token))
        access.open_record(token, request.form.get("uscc", ""), client_ip())
        opened = [t for t in session.get(SESSION_KEY, []) if t != token][-(KEEP - 1):] + [token]
        session[SESSION_KEY] = opened
        return redirect(url_for("enterprise.page", token=token))
    record = _opened(token)
    if record is None:
        return render_template("enterprise/enter.html", token=token)
    return _page(record)


def _page(record: InspectionRecord):
    today = clock.today()
    parts = review_parts.parts_of(record)
    tasks = db.session.scalars(select(FollowUpTask).where(FollowUpTask.record_id == record.id)
                               .order_by(FollowUpTask.id)).all()
    published = {p.department_id for p in parts if p.status == PartStatus.PUBLISHED}
    windows = {p.id: objections.filing_due(p) for p in parts}
    response = render_template(
        "enterprise/page.html", record=record, entity=record.entity, result=queries.public_result(record),
        parts=parts, windows=windows, tasks=[t for t in tasks if t.department_id in published],
        rectifications=rectification.of_record(record), objections=objections.of_record(record),
        questions=questions.of_record(record), today=today, categories=results.CATEGORIES,
        item_results=results.ITEM_RESULTS, item_titles={i.id: i.title for i in record.plan.items},
        departments={p.department_id: p.department.name for p in parts},
    )
    return response, 200, {"Cache-Control": "private, no-store"}


@bp.route("/e/<token>/rectify/<int:task_id>", methods=["POST"])
def rectify(token, task_id):
    record = _required(token)
    task = db.session.get(FollowUpTask, task_id)
    if task is None or task.record_id != record.id:
        raise access.AccessRefused("没有这个后续监管任务。", 404)
    errors.back_to(url_for("enterprise.page", token=token) + f"#task-{task.id}")
    rectification.submit(task, request.form.get("note", ""), request.files.getlist("files"), client_ip())
    return done("整改材料已提交，请等待部门审核。", "enterprise.page", token=token, _anchor=f"task-{task.id}")


@bp.route("/e/<token>/object/<int:part_id>", methods=["POST"])
def object_(token, part_id):
    record = _required(token)
    part = next((p for p in review_parts.parts_of(record) if p.id == part_id), None)
    errors.back_to(url_for("enterprise.page", token=token) + "#objections")
    objections.file(record, part, request.form.get("reasons", ""), request.files.getlist("files"), client_ip())
    return done("异议已提交，部门将在期限内答复。", "enterprise.page", token=token, _anchor="objections")


@bp.route("/e/<token>/ask", methods=["POST"])
def ask(token):
    record = _required(token)
    errors.back_to(url_for("enterprise.page", token=token) + "#questions")
    try:
        department_id = int(request.form.get("department_id") or 0)
    except ValueError:
        department_id = 0
    questions.ask(record, department_id, request.form.get("text", ""), client_ip())
    return done("问题已提交，部门答复后在本页显示。", "enterprise.page", token=token, _anchor="questions")


@bp.route("/e/<token>/leave", methods=["POST"])
def leave(token):
    session[SESSION_KEY] = [t for t in session.get(SESSION_KEY, []) if t != token]
    return redirect(url_for("enterprise.page", token=token))
