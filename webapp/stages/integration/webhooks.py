"""Webhooks: an office's URL subscribed to events; each delivery is a job, signed with HMAC-SHA256 over
`<timestamp>.<body>` (headers X-Spotcheck-Timestamp, X-Spotcheck-Signature: sha256=<hex>), retried with
back-off for a day (BACKOFF), logged per attempt on its row, and sent again on the office's request."""
import hashlib
import hmac
import http.client
import json
import secrets
import socket
import ssl
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import quote, urlsplit, urlunsplit

from sqlalchemy import delete, select

from webapp.core import audit, events, jobs, periodic
from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.domain.refusal import Refused
from webapp.stages.accounts.models import Jurisdiction
from webapp.stages.integration.models import WebhookDelivery, WebhookSubscription

EVENTS = {"result.published": "结果已公示", "result.withdrawn": "公示已撤回", "record.submitted": "检查记录已提交",
          "draw.executed": "抽取已执行", "follow_up.closed": "后续监管已办结"}
# minutes after each failed attempt: 1 min … 12 h; the last attempt falls about a day after the first.
BACKOFF = (1, 5, 30, 120, 360, 720, 210)
TIMEOUT = 10


STATUS_LABELS = {"pending": "等待重试", "delivered": "已送达", "failed": "已放弃"}


def subscribe(url: str, events, jurisdiction_id: int, user=None) -> WebhookSubscription:
    url = (url or "").strip()
    try:
        parts = urlsplit(url) if len(url) <= 500 and ascii_url(url) and urlsplit(url).port != 0 else None
    except ValueError:  # a port out of range, a host IDNA cannot write
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise Refused("接收地址须以 http:// 或 https:// 开头并写明主机名（不超过 500 个字符）。", 400)
    events = sorted(set(events or []))
    if not events or any(e not in EVENTS for e in events):
        raise Refused("请至少选择一个要订阅的事件。", 400)
    if jurisdiction_id is None:
        raise Refused("您的账号未归属任何辖区，不能订阅推送。", 403)
    sub = WebhookSubscription(url=url, events=events, jurisdiction_id=jurisdiction_id, secret=secrets.token_hex(32),
                              created_by_id=getattr(user, "id", None), active=True, created_at=utcnow())
    db.session.add(sub)
    db.session.flush()
    audit.record("webhook.subscribe", sub, user=user, url=url, events=events)
    return sub


def set_active(sub: WebhookSubscription, active: bool, user=None) -> None:
    sub.active = bool(active)
    audit.record("webhook.enable" if active else "webhook.disable", sub, user=user, url=sub.url)


def remove(sub: WebhookSubscription, user=None) -> None:
    """The subscription and its delivery log (nothing is sent to it any more)."""
    audit.record("webhook.delete", sub, user=user, url=sub.url, events=list(sub.events))
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id))
    db.session.delete(sub)


def of_office(jurisdiction_id: int | None) -> list[WebhookSubscription]:
    return db.session.scalars(select(WebhookSubscription).where(WebhookSubscription.jurisdiction_id == jurisdiction_id)
                              .order_by(WebhookSubscription.id.desc())).all()


def log_of(sub: WebhookSubscription, limit: int = 100) -> list[WebhookDelivery]:
    """The subscription's latest deliveries, newest first."""
    return db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.subscription_id == sub.id)
                              .order_by(WebhookDelivery.id.desc()).limit(limit)).all()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def emit(event: str, payload: dict, jurisdiction_ids) -> list[WebhookDelivery]:
    """One delivery per active subscription of these jurisdictions to `event`, each queued as a job."""
    subs = db.session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.active.is_(True), WebhookSubscription.jurisdiction_id.in_(sorted(jurisdiction_ids)))).all()
    return _deliver(event, payload, subs)


def _deliver(event: str, payload: dict, subs) -> list[WebhookDelivery]:
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
        _enqueue(d)
    return made


def above(jurisdiction_id: int) -> set[int]:
    """The jurisdiction and every one above it: the offices that see what happens in it."""
    found, current = set(), jurisdiction_id
    while current is not None and current not in found:
        found.add(current)
        current = db.session.scalar(select(Jurisdiction.parent_id).where(Jurisdiction.id == current))
    return found


def _listening() -> tuple[list[WebhookSubscription], dict]:
    """The active subscriptions and the jurisdictions above each place, read once per transaction (a plan's
    publication tells a thousand parts in one commit; with no subscription it costs one query)."""
    transaction = db.session().get_transaction()
    cached = db.session.info.get("webhooks_listening")
    if cached is None or cached[0] is not transaction:
        subs = db.session.scalars(select(WebhookSubscription).where(WebhookSubscription.active.is_(True))).all()
        cached = (transaction, subs, {})
        db.session.info["webhooks_listening"] = cached
    return cached[1], cached[2]


def _told(event: str, payload: dict, jurisdiction_id: int | None) -> None:
    """core.events' listener: an act in `jurisdiction_id` goes to the subscriptions of it and of the offices above."""
    subs, places = _listening()
    if jurisdiction_id is None or not subs:
        return
    if jurisdiction_id not in places:
        places[jurisdiction_id] = above(jurisdiction_id)
    _deliver(event, payload, [s for s in subs if s.jurisdiction_id in places[jurisdiction_id]])


for _name in EVENTS:
    events.on(_name)(_told)


def _enqueue(delivery: WebhookDelivery, user=None):
    """The job making the delivery's next attempt: one per attempt (its key), however many sweeps see it due."""
    jobs.enqueue("webhook.deliver", {"delivery_id": delivery.id}, user=user, jurisdiction_id=delivery.jurisdiction_id,
                 key=f"webhook:{delivery.id}:{delivery.attempts + 1}")


def attempt(delivery: WebhookDelivery) -> bool:
    """POST the delivery once; on failure schedule the next attempt (or give up after the last)."""
    body = json.dumps({"id": f"delivery-{delivery.id}", "event": delivery.event, "data": delivery.payload},
                      ensure_ascii=False, sort_keys=True).encode("utf-8")
    timestamp = str(int(utcnow().timestamp()))
    request = urllib.request.Request(ascii_url(delivery.subscription.url), data=body, method="POST", headers={
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
        delivery.last_status_code, delivery.last_error = None, f"无法连接接收方：{_reason(e)}"[:500]
    except (ValueError, http.client.HTTPException) as e:  # a malformed address or answer: retried like the rest
        delivery.last_status_code, delivery.last_error = None, f"发送出错：{type(e).__name__}（{e}）"[:500]
    if delivery.last_error is None and 200 <= (delivery.last_status_code or 0) < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", utcnow(), None
        return True
    if delivery.attempts > len(BACKOFF):
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.status = "pending"
        delivery.next_attempt_at = utcnow() + timedelta(minutes=BACKOFF[delivery.attempts - 1])
    return False


def ascii_url(url: str) -> str:
    """The address as HTTP sends it: a Chinese host in IDNA, a Chinese path or query percent-encoded."""
    parts = urlsplit(url)
    host = parts.hostname.encode("idna").decode("ascii") if parts.hostname else ""
    netloc = (host if ":" not in host else f"[{host}]") + (f":{parts.port}" if parts.port else "")
    safe = "/%:@!$&'()*+,;=-._~?"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=safe), quote(parts.query, safe=safe), ""))


def _reason(error: Exception) -> str:
    """Why the connection failed, in Chinese (the system's own words after it, for the receiver's admin)."""
    cause = getattr(error, "reason", error)
    for kind, words in ((ConnectionRefusedError, "连接被拒绝"), (TimeoutError, f"{TIMEOUT} 秒内无应答"),
                        (socket.gaierror, "域名无法解析"), (ssl.SSLError, "HTTPS 证书或加密协商失败"),
                        (ConnectionResetError, "连接被对方中断")):
        if isinstance(cause, kind):
            return f"{words}（{cause}）"
    return f"网络错误（{cause}）"


def due(now=None) -> list[WebhookDelivery]:
    """Deliveries whose next attempt is due (a periodic sweep enqueues them again); none of a disabled one."""
    return db.session.scalars(select(WebhookDelivery).join(WebhookDelivery.subscription).where(
        WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= (now or utcnow()),
        WebhookSubscription.active.is_(True)).order_by(WebhookDelivery.id)).all()


def resend(delivery: WebhookDelivery, user=None) -> None:
    """The office's 重新发送: the same body, attempted again now."""
    delivery.status, delivery.next_attempt_at = "pending", utcnow()
    audit.record("webhook.resend", delivery, user=user)
    _enqueue(delivery, user)


@periodic.every(60, "webhook.retry")
def retry_due(now=None) -> int:
    """The sweep, every minute (Celery beat, or the web process's thread) and `spotcheck webhooks retry`: a job
    for every delivery whose retry is due. Caller commits."""
    found = due(now)
    for delivery in found:
        _enqueue(delivery)
    return len(found)


@jobs.task("webhook.deliver")
def deliver_job(job, *, delivery_id: int):
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is not None and delivery.status == "pending" and delivery.subscription.active:  # else: when enabled
        attempt(delivery)
        db.session.commit()
