"""Webhook deliveries to a receiver started on loopback: signed, retried with back-off, logged."""
import hashlib
import hmac
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from webapp.core.extensions import db
from webapp.stages.integration import webhooks
from webapp.stages.integration.models import WebhookDelivery


def receiver(fail_times: int):
    got = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((dict(self.headers), body))
            self.send_response(503 if len(got) <= fail_times else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, got


def test_a_delivery_fails_twice_then_is_accepted_and_is_signed(placed, home):
    server, got = receiver(fail_times=2)
    try:
        sub = webhooks.subscribe(f"http://127.0.0.1:{server.server_port}/hook", ["result.published"], home.id)
        db.session.commit()
        [delivery] = webhooks.emit("result.published", {"uscc": placed.entities[0].uscc}, {home.id})
        db.session.commit()
        delivery = db.session.get(WebhookDelivery, delivery.id)
        assert delivery.attempts >= 1 and delivery.status == "pending" and delivery.last_status_code == 503
        first_retry = delivery.next_attempt_at
        while delivery.status == "pending":
            webhooks.attempt(delivery)
            db.session.commit()
        assert delivery.status == "delivered" and delivery.attempts == 3 and len(got) == 3
        assert first_retry is not None
        headers, body = got[-1]
        expected = "sha256=" + hmac.new(sub.secret.encode(), headers["X-Spotcheck-Timestamp"].encode() + b"." + body,
                                        hashlib.sha256).hexdigest()
        assert headers["X-Spotcheck-Signature"] == expected
        webhooks.resend(delivery)
        db.session.commit()
        assert len(got) == 4
    finally:
        server.shutdown()
        server.server_close()


def test_unreachable_receivers_are_given_up_after_the_day_of_back_off(placed, home):
    sub = webhooks.subscribe("http://127.0.0.1:9/none", ["draw.executed"], home.id)
    d = WebhookDelivery(subscription=sub, jurisdiction_id=home.id, event="draw.executed", payload={}, attempts=0)
    db.session.add(d)
    db.session.flush()
    assert sum(webhooks.BACKOFF) >= 24 * 60
    for _ in range(len(webhooks.BACKOFF) + 1):
        webhooks.attempt(d)
    assert d.status == "failed" and d.last_error.startswith("无法连接")
