"""The public's 举报 (no sign-in): the form, the receipt with its follow code (shown once), the follow-up by both;
and the page telling enterprises their duties and rights in a check."""
from flask import flash, render_template, request

from webapp.core.extensions import db
from webapp.domain.refusal import Refused
from webapp.faces.enterprise import bp
from webapp.faces.enterprise.common import client_ip
from webapp.stages.enterprise import attachments, tipoffs

NO_STORE = {"Cache-Control": "no-store"}


def _form(values=None, status=200):
    return render_template("enterprise/tipoff_form.html", matters=tipoffs.matters(), v=values or {},
                           max_files=attachments.MAX_FILES), status


@bp.route("/jubao/", methods=["GET"])
def tipoff_form():
    return _form()


@bp.route("/jubao/", methods=["POST"])
def tipoff_file():
    values = {k: (request.form.get(k) or "")[:4000] for k in ("enterprise", "item_id", "what", "seen_on", "contact")}
    try:
        tip, code = tipoffs.file(values["enterprise"], values["item_id"], values["what"], values["seen_on"],
                                 values["contact"], request.files.getlist("files"), client_ip())
    except Refused as refused:  # nothing typed is lost: the form again, filled, with the reason and its status
        db.session.rollback()
        flash(refused.message, "error")
        return _form(values, refused.status)
    db.session.commit()
    return render_template("enterprise/tipoff_receipt.html", tip=tip, code=code), 201, NO_STORE


@bp.route("/jubao/follow", methods=["GET", "POST"])
def tipoff_follow():
    tip = None
    if request.method == "POST":
        receipt = request.form.get("receipt", "")[:20]
        try:
            tip = tipoffs.lookup(receipt, request.form.get("code", ""), client_ip())
        except Refused as refused:
            db.session.rollback()
            flash(refused.message, "error")
            return render_template("enterprise/tipoff_follow.html", tip=None, receipt=receipt), refused.status, NO_STORE
    return render_template("enterprise/tipoff_follow.html", tip=tip, receipt=tip.receipt if tip else ""), 200, NO_STORE


@bp.route("/public/rights")
def rights():
    return render_template("enterprise/rights.html")
