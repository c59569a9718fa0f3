"""The office's webhooks (Webhook 推送): subscribe a URL to events (its signing secret shown once), disable or
delete a subscription, read its delivery log and send a delivery again. Only the office admin, and only the
subscriptions of the admin's own jurisdiction (another's answers 404, one seen from above 403)."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from webapp.core import errors
from webapp.domain import roles
from webapp.domain.refusal import Refused
from webapp.faces.auth.gate import role_required
from webapp.faces.pages import done, made_once
from webapp.stages.accounts import jurisdictions
from webapp.stages.integration import webhooks
from webapp.stages.integration.models import WebhookDelivery, WebhookSubscription

bp = Blueprint("webhooks", __name__, url_prefix="/office/webhooks")


def _own(model, ident):
    """The row if it is the office's own jurisdiction's: 404 unseen, 403 seen from above."""
    row = jurisdictions.owned_or_404(model, ident, current_user)
    if row.jurisdiction_id != current_user.jurisdiction_id:
        abort(403)
    return row


@bp.route("/", methods=["GET", "POST"])
@role_required(roles.OFFICE_ADMIN)
def index():
    made = made_once(lambda: webhooks.subscribe(request.form.get("url", ""), request.form.getlist("events"),
                                                current_user.jurisdiction_id, current_user))
    return render_template("api_v1/webhooks.html", made=made, events=webhooks.EVENTS,
                           rows=webhooks.of_office(current_user.jurisdiction_id))


@bp.get("/<int:sub_id>/")
@role_required(roles.OFFICE_ADMIN)
def log(sub_id):
    sub = _own(WebhookSubscription, sub_id)
    return render_template("api_v1/webhook_log.html", sub=sub, rows=webhooks.log_of(sub), events=webhooks.EVENTS,
                           labels=webhooks.STATUS_LABELS)


@bp.post("/<int:sub_id>/active")
@role_required(roles.OFFICE_ADMIN)
def set_active(sub_id):
    sub, active = _own(WebhookSubscription, sub_id), request.form.get("active") == "1"
    webhooks.set_active(sub, active, current_user)
    return done(f"已{'启用' if active else '停用'}推送到 {sub.url} 的订阅。", "webhooks.index")


@bp.post("/<int:sub_id>/delete")
@role_required(roles.OFFICE_ADMIN)
def delete(sub_id):
    sub = _own(WebhookSubscription, sub_id)
    url = sub.url
    webhooks.remove(sub, current_user)
    return done(f"已删除推送到 {url} 的订阅及其推送记录。", "webhooks.index")


@bp.post("/deliveries/<int:delivery_id>/resend")
@role_required(roles.OFFICE_ADMIN)
def resend(delivery_id):
    delivery = _own(WebhookDelivery, delivery_id)
    if not delivery.subscription.active:
        errors.back_to(url_for("webhooks.log", sub_id=delivery.subscription_id))
        raise Refused("该订阅已停用，请先启用后再重新发送。", 409)
    webhooks.resend(delivery, current_user)
    return done(f"已重新发送第 {delivery.id} 号推送。", "webhooks.log", sub_id=delivery.subscription_id)
