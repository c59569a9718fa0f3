"""The department in charge handles what enterprises and the public send: rectification evidence, objections,
questions and 举报. Only its admin or reviewer (and the admin alone closes a follow-up); the office sees counts."""
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


def _posted(act, said):
    """A handler's POST: `act()` (a refusal comes back to this page), then `said()`, the answer to show."""
    errors.back_to(request.path)
    act()
    return said()


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


@bp.route("/handling/rectification/<int:rect_id>", methods=["GET", "POST"])
@role_required(*HANDLERS)
def rectification_show(rect_id):
    rect = _mine(Rectification, rect_id)
    if request.method == "POST":
        return _posted(lambda: rectification.decide(rect, current_user, request.form.get("decision") == "accept",
                                                    request.form.get("note", "")),
                       lambda: done("已审核：" + Rectification.LABELS[rect.status], "enterprise.rectification_show",
                                    rect_id=rect.id))
    return render_template("enterprise/handle_rectification.html", rect=rect, task=rect.follow_up,
                           files=attachments.of("rectification", rect.id), today=clock.today())


@bp.route("/handling/objection/<int:obj_id>", methods=["GET", "POST"])
@role_required(*HANDLERS)
def objection_show(obj_id):
    obj = _mine(Objection, obj_id)
    if request.method == "POST":
        return _posted(lambda: objections.answer(obj, current_user, request.form.get("decision") == "uphold",
                                                 request.form.get("answer", ""), request.form.getlist("codes")),
                       lambda: done("已答复：" + Objection.LABELS[obj.status], "enterprise.objection_show", obj_id=obj.id))
    return render_template("enterprise/handle_objection.html", obj=obj, files=attachments.of("objection", obj.id),
                           categories=results.CATEGORIES, labels=objections.labels, today=clock.today(),
                           overdue=objections.overdue(obj))


@bp.route("/handling/question/<int:q_id>", methods=["GET", "POST"])
@role_required(*HANDLERS)
def question_show(q_id):
    q = _mine(Question, q_id)
    if request.method == "POST":
        return _posted(lambda: questions.answer(q, current_user, request.form.get("answer", "")),
                       lambda: done("已答复，企业在其页面上可以看到。", "enterprise.question_show", q_id=q.id))
    return render_template("enterprise/handle_question.html", q=q)


@bp.route("/handling/tipoff/<int:tip_id>", methods=["GET", "POST"])
@role_required(*HANDLERS)
def tipoff_show(tip_id):
    tip = _mine(TipOff, tip_id)
    if request.method == "POST":
        errors.back_to(request.path)
        action = request.form.get("action", "")
        tipoffs.handle(tip, current_user, action, request.form.get("note", ""), request.form.get("to_department_id"))
        db.session.commit()
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
