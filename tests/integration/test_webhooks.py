"""Webhook deliveries to a receiver started on loopback: signed, retried with back-off, logged."""
import hashlib
import hmac
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from webapp.core.extensions import db
from webapp.domain.refusal import Refused
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


def test_addresses_are_checked_at_subscription_and_sent_in_ascii(home):
    for bad in ("ftp://example.org/x", "https://", "https://example.org:99999/x", "https://exa mple.org/x",
                "javascript:alert(1)", "https://example.org/" + "x" * 500):
        with pytest.raises(Refused):
            webhooks.subscribe(bad, ["draw.executed"], home.id)
    with pytest.raises(Refused):
        webhooks.subscribe("https://example.org/x", ["draw.nothing"], home.id)
    assert webhooks.ascii_url("http://127.0.0.1:8080/省平台/接收?来源=莲池") == (
        "http://127.0.0.1:8080/%E7%9C%81%E5%B9%B3%E5%8F%B0/%E6%8E%A5%E6%94%B6?%E6%9D%A5%E6%BA%90=%E8%8E%B2%E6%B1%A0")
    assert webhooks.ascii_url("https://例子.中国/hook") == "https://xn--fsqu00a.xn--fiqs8s/hook"


def test_the_sweep_is_on_celery_beats_schedule_and_runs_as_a_periodic_task(app, placed, home):
    from tests.conftest import redis_url
    from webapp.core import jobs, periodic

    app.config["JOBS_BROKER_URL"] = redis_url(14)
    capp = jobs.celery(app)
    entry = capp.conf.beat_schedule["periodic:webhook.retry"]
    assert entry["task"] == "spotcheck.periodic" and entry["args"] == ["webhook.retry"] and entry["schedule"] == 60
    assert "spotcheck.periodic" in capp.tasks
    app.config["JOBS_BROKER_URL"] = None
    sub = webhooks.subscribe("http://127.0.0.1:9/none", ["draw.executed"], home.id)
    d = WebhookDelivery(subscription=sub, jurisdiction_id=home.id, event="draw.executed", payload={}, attempts=0,
                        status="pending", next_attempt_at=webhooks.utcnow())
    db.session.add(d)
    db.session.commit()
    periodic.run("webhook.retry")  # what the beat's task and the web process's thread run
    assert db.session.get(WebhookDelivery, d.id).attempts == 1
