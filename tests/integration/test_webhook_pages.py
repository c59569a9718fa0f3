"""The office's webhook pages (/office/webhooks/) through the test client, and the retry sweep that sends a failed
delivery again when it is due (the clock advanced by moving the next-attempt time, never by waiting)."""
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token
from webapp.core.clock import aware, utcnow
from webapp.core.extensions import db
from webapp.stages.accounts import jurisdictions
from webapp.stages.integration import webhooks
from webapp.stages.integration.models import WebhookDelivery, WebhookSubscription

PAGE = "/office/webhooks/"


@pytest.fixture
def flaky():
    """A loopback receiver that answers 503 to its first two deliveries and 200 afterwards."""
    got = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            got.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(503 if len(got) <= 2 else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/hook", got
    server.shutdown()
    server.server_close()


@pytest.fixture
def office(client, auth, placed):
    auth.login("office")
    return client


def _count():
    return db.session.scalar(select(func.count()).select_from(WebhookSubscription))


def test_subscribing_shows_the_secret_once_and_bad_input_writes_nothing(office):
    page = office.get(PAGE).get_data(as_text=True)
    assert "新建订阅" in page and "结果已公示" in page and 'href="/office/webhooks/"' in page  # in the nav
    token = csrf_token(office, PAGE)
    for url, events, said in (("ftp://example.org/hook", ["result.published"], "http:// 或 https://"),
                              ("https://", ["result.published"], "主机名"),
                              ("https://example.org/hook", [], "至少选择一个")):
        answer = office.post(PAGE, data={"csrf_token": token, "url": url, "events": events}, follow_redirects=True)
        assert said in answer.get_data(as_text=True)
    assert office.post(PAGE, data={"url": "https://example.org/hook", "events": ["draw.executed"]}).status_code == 400
    assert _count() == 0
    answer = office.post(PAGE, data={"csrf_token": token, "url": "https://example.org/hook",
                                     "events": ["draw.executed", "result.published"]})
    sub = db.session.scalar(select(WebhookSubscription))
    assert answer.status_code == 200 and sub.secret in answer.get_data(as_text=True)
    assert sub.events == ["draw.executed", "result.published"]
    again = office.get(PAGE).get_data(as_text=True)
    assert sub.secret not in again and "https://example.org/hook" in again


def test_disable_enable_and_delete(office, home):
    sub = webhooks.subscribe("https://example.org/hook", ["draw.executed"], home.id)
    db.session.commit()
    token = csrf_token(office, PAGE)
    assert office.post(f"{PAGE}{sub.id}/active", data={"active": "0"}).status_code == 400  # no CSRF token
    office.post(f"{PAGE}{sub.id}/active", data={"csrf_token": token, "active": "0"})
    assert db.session.get(WebhookSubscription, sub.id).active is False
    assert "已停用" in office.get(PAGE).get_data(as_text=True)
    office.post(f"{PAGE}{sub.id}/active", data={"csrf_token": token, "active": "1"})
    assert db.session.get(WebhookSubscription, sub.id).active is True
    office.post(f"{PAGE}{sub.id}/delete", data={"csrf_token": token})
    assert _count() == 0


def test_only_the_office_of_that_jurisdiction(client, auth, placed, home):
    other = jurisdictions.ensure(*jurisdictions.JINGXIU)
    theirs = webhooks.subscribe("https://example.org/theirs", ["draw.executed"], other.id)
    db.session.commit()
    auth.login("jt_admin")
    assert client.get(PAGE).status_code == 403
    auth.logout()
    auth.login("office")
    token = csrf_token(client, PAGE)
    assert client.get(f"{PAGE}{theirs.id}/").status_code == 404
    assert client.post(f"{PAGE}{theirs.id}/delete", data={"csrf_token": token}).status_code == 404
    assert "example.org/theirs" not in client.get(PAGE).get_data(as_text=True)
    assert _count() == 1


def test_a_failing_receiver_is_retried_when_due_logged_and_sent_again(office, home, flaky, runner):
    url, got = flaky
    sub = webhooks.subscribe(url, ["result.published"], home.id)
    db.session.commit()
    [delivery] = webhooks.emit("result.published", {"id": "x-jiaoti"}, {home.id})
    db.session.commit()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert (delivery.attempts, delivery.status, delivery.last_status_code) == (1, "pending", 503)
    assert webhooks.retry_due() == 0  # its retry, a minute on, is not due yet
    wait = aware(delivery.next_attempt_at) - utcnow()
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)

    log = office.get(f"{PAGE}{sub.id}/").get_data(as_text=True)
    assert "等待重试" in log and "接收方回答 HTTP 503" in log and "下次重试" in log and "重新发送" in log

    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)  # a minute has passed
    db.session.commit()
    assert webhooks.retry_due() == 1
    db.session.commit()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert (delivery.attempts, delivery.status) == (2, "pending")
    assert timedelta(minutes=4) < aware(delivery.next_attempt_at) - utcnow() <= timedelta(minutes=5)

    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)  # five more minutes
    db.session.commit()
    out = runner.invoke(args=["webhooks", "retry"])
    assert out.exit_code == 0 and "1 条" in out.output
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert (delivery.attempts, delivery.status, delivery.last_status_code) == (3, "delivered", 200)
    assert len(got) == 3 and webhooks.retry_due() == 0

    answer = office.post(f"/office/webhooks/deliveries/{delivery.id}/resend",
                         data={"csrf_token": csrf_token(office, PAGE)}, follow_redirects=True)
    assert "已重新发送" in answer.get_data(as_text=True) and len(got) == 4
    assert re.search(r"已尝试</dt><dd>4 次", answer.get_data(as_text=True))


def test_a_disabled_subscription_is_not_sent_again(office, home):
    sub = webhooks.subscribe("http://127.0.0.1:9/none", ["draw.executed"], home.id)
    db.session.commit()
    [delivery] = webhooks.emit("draw.executed", {}, {home.id})
    db.session.commit()
    assert db.session.get(WebhookDelivery, delivery.id).last_error.startswith("无法连接接收方：连接被拒绝")
    webhooks.set_active(db.session.get(WebhookSubscription, sub.id), False)
    db.session.commit()
    answer = office.post(f"/office/webhooks/deliveries/{delivery.id}/resend",
                         data={"csrf_token": csrf_token(office, PAGE)}, follow_redirects=True)
    assert "该订阅已停用" in answer.get_data(as_text=True)
    assert db.session.get(WebhookDelivery, delivery.id).attempts == 1
