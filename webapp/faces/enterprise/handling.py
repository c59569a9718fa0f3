"""The department in charge handles what enterprises and the public send: rectification evidence, objections,
questions and 举报. Only its admin or reviewer (and the admin alone closes a follow-up); the office sees counts."""
import functools

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import select

from webapp.core import clock, errors
from webapp.core.extensions import db
from webapp.domain import results, roles
from webapp.faces.auth.gate import role_required
from webapp.faces.enterprise import bp
from webapp.faces.enterprise.common import send_attachment
from webapp.faces.pages import done
from webapp.stages.accounts.models import Department
from webapp.stages.enterprise import access, attachments, objections, questions, rectification, tipoffs
from webapp.stages.enterprise.models import Attachment, Objection, Question, Rectification, TipOff

HANDLERS = (roles.DEPT_ADMIN, roles.REVIEWER)


def _mine(model, ident):
    """The row if the user's department is in charge of it; else 404 (another department's does not exist)."""
    row = db.session.get(model, ident)
    if row is None or not access.handles(current_user, row):
        abort(404)
    return row


def _item(rule: str, model, arg: str):
    """A page of one item the user's department is in charge of (`_mine`), at /handling/<rule>: the view gets the
    row; on a POST a refusal of the stage comes back to this page."""
    def wrap(view):
        @bp.route(f"/handling/{rule}/<int:{arg}>", methods=["GET", "POST"], endpoint=view.__name__)
        @role_required(*HANDLERS)
        @functools.wraps(view)
        def page(**ident):
            row = _mine(model, ident[arg])
            if request.method == "POST":
                errors.back_to(request.path)
            return view(row)
        return page
    return wrap


def _open(model, *where):
    return db.session.scalars(select(model).where(model.department_id == current_user.department_id, *where)
                              .order_by(model.id)).all()


@bp.route("/handling/")
@role_required(*HANDLERS)
def inbox():
    mine = lambda rows: [r for r in rows if access.handles(current_user, r)]  # noqa: E731
    return render_template(
        "enterprise/inbox.html", today=clock.today(),
        rectifications=mine(_open(Rectification, Rectification.status == "submitted")),
        objections=mine(_open(Objection, Objection.status == "pending")),
        questions=mine(_open(Question, Question.answer.is_(None))),
        tips=mine(tipoffs.inbox(current_user, "open")),
    )


@_item("rectification", Rectification, "rect_id")
def rectification_show(rect):
    if request.method == "POST":
        rectification.decide(rect, current_user, request.form.get("decision") == "accept", request.form.get("note", ""))
        return done("已审核：" + Rectification.LABELS[rect.status], "enterprise.rectification_show", rect_id=rect.id)
    return render_template("enterprise/handle_rectification.html", rect=rect, task=rect.follow_up,
                           files=attachments.of("rectification", rect.id), today=clock.today())


@_item("objection", Objection, "obj_id")
def objection_show(obj):
    if request.method == "POST":
        objections.answer(obj, current_user, request.form.get("decision") == "uphold", request.form.get("answer", ""),
                          request.form.getlist("codes"))
        return done("已答复：" + Objection.LABELS[obj.status], "enterprise.objection_show", obj_id=obj.id)
    return render_template("enterprise/handle_objection.html", obj=obj, files=attachments.of("objection", obj.id),
                           categories=results.CATEGORIES, labels=objections.labels, today=clock.today(),
                           overdue=objections.overdue(obj))


@_item("question", Question, "q_id")
def question_show(q):
    if request.method == "POST":
        questions.answer(q, current_user, request.form.get("answer", ""))
        return done("已答复，企业在其页面上可以看到。", "enterprise.question_show", q_id=q.id)
    return render_template("enterprise/handle_question.html", q=q)


@_item("tipoff", TipOff, "tip_id")
def tipoff_show(tip):
    if request.method == "POST":
        action = request.form.get("action", "")
        tipoffs.handle(tip, current_user, action, request.form.get("note", ""), request.form.get("to_department_id"))
        if action == "forward":  # the report, and its contact, are the other department's now
            return done("已转办。", "enterprise.inbox")
        return done("已记录：" + tipoffs.ACTIONS.get(action, action), "enterprise.tipoff_show", tip_id=tip.id)
    others = db.session.scalars(select(Department).where(Department.id != tip.department_id)
                                .order_by(Department.id)).all()
    return render_template("enterprise/handle_tipoff.html", tip=tip, files=attachments.of("tip_off", tip.id),
                           others=others, actions=tipoffs.ACTIONS, today=clock.today()), 200, {
        "Cache-Control": "private, no-store"}


@bp.route("/handling/file/<int:att_id>")
@role_required(*HANDLERS)
def attachment(att_id):
    return send_attachment(_mine(Attachment, att_id))


@bp.route("/handling/counts")
@role_required(roles.OFFICE_ADMIN)
def counts():
    """The office's count of 举报 per jurisdiction and department: numbers, never the reports or the reporters."""
    return render_template("enterprise/counts.html", rows=tipoffs.counts(current_user))
