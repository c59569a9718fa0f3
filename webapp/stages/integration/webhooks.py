"""Webhooks: an office's URL subscribed to events; each delivery is a job, signed with HMAC-SHA256 over
`<timestamp>.<body>` (headers X-Spotcheck-Timestamp, X-Spotcheck-Signature: sha256=<hex>), retried with
back-off for a day (BACKOFF), logged per attempt on its row, and sent again on the office's request."""
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.request
from datetime import timedelta

from sqlalchemy import select

from webapp.core import audit, jobs
from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.domain.refusal import Refused
from webapp.stages.integration.models import WebhookDelivery, WebhookSubscription

EVENTS = {"result.published": "结果已公示", "result.withdrawn": "公示已撤回", "record.submitted": "检查记录已提交",
          "draw.executed": "抽取已执行", "follow_up.closed": "后续监管已办结"}
# minutes after each failed attempt: 1 min … 12 h; the last attempt falls about a day after the first.
BACKOFF = (1, 5, 30, 120, 360, 720, 210)
TIMEOUT = 10


def subscribe(url: str, events, jurisdiction_id: int, user=None) -> WebhookSubscription:
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > 500:
        raise Refused("请填写以 https:// 开头的接收地址。", 400)
    events = sorted(set(events or []))
    if not events or any(e not in EVENTS for e in events):
        raise Refused("请选择要订阅的事件。", 400)
    sub = WebhookSubscription(url=url, events=events, jurisdiction_id=jurisdiction_id, secret=secrets.token_hex(32),
                              created_by_id=getattr(user, "id", None), active=True, created_at=utcnow())
    db.session.add(sub)
    db.session.flush()
    audit.record("webhook.subscribe", sub, user=user, url=url, events=events)
    return sub


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def emit(event: str, payload: dict, jurisdiction_ids) -> list[WebhookDelivery]:
    """One delivery per active subscription of these jurisdictions to `event`, each queued as a job."""
    subs = db.session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.active.is_(True), WebhookSubscription.jurisdiction_id.in_(sorted(jurisdiction_ids)))).all()
    made = []
    for sub in subs:
        if event not in sub.events:
            continue
        d = WebhookDelivery(subscription=sub, jurisdiction_id=sub.jurisdiction_id, event=event, payload=payload,
                            status="pending", attempts=0, created_at=utcnow(), next_attempt_at=utcnow())
        db.session.add(d)
        db.session.flush()
        made.append(d)
    for d in made:
        jobs.enqueue("webhook.deliver", {"delivery_id": d.id}, jurisdiction_id=d.jurisdiction_id)
    return made


def attempt(delivery: WebhookDelivery) -> bool:
    """POST the delivery once; on failure schedule the next attempt (or give up after the last)."""
    body = json.dumps({"id": f"delivery-{delivery.id}", "event": delivery.event, "data": delivery.payload},
                      ensure_ascii=False, sort_keys=True).encode("utf-8")
    timestamp = str(int(utcnow().timestamp()))
    request = urllib.request.Request(delivery.subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Spotcheck-Event": delivery.event,
        "X-Spotcheck-Delivery": str(delivery.id), "X-Spotcheck-Timestamp": timestamp,
        "X-Spotcheck-Signature": sign(delivery.subscription.secret, timestamp, body)})
    delivery.attempts += 1
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 (the office's own URL)
            delivery.last_status_code, delivery.last_error = answer.status, None
    except urllib.error.HTTPError as e:
        delivery.last_status_code, delivery.last_error = e.code, f"接收方回答 HTTP {e.code}"
        e.close()
    except (urllib.error.URLError, OSError) as e:
        delivery.last_status_code, delivery.last_error = None, f"无法连接接收方：{e}"[:500]
    if delivery.last_error is None and 200 <= (delivery.last_status_code or 0) < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", utcnow(), None
        return True
    if delivery.attempts > len(BACKOFF):
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = utcnow() + timedelta(minutes=BACKOFF[delivery.attempts - 1])
    return False


def due(now=None) -> list[WebhookDelivery]:
    """Deliveries whose next attempt is due (a periodic sweep enqueues them again)."""
    return db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= (now or utcnow()))
        .order_by(WebhookDelivery.id)).all()


def resend(delivery: WebhookDelivery, user=None) -> None:
    """The office's 重新发送: the same body, attempted again now."""
    delivery.status, delivery.next_attempt_at = "pending", utcnow()
    audit.record("webhook.resend", delivery, user=user)
    jobs.enqueue("webhook.deliver", {"delivery_id": delivery.id}, user=user, jurisdiction_id=delivery.jurisdiction_id)


@jobs.task("webhook.deliver")
def deliver_job(job, *, delivery_id: int):
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is not None and delivery.status == "pending":
        attempt(delivery)
        db.session.commit()
