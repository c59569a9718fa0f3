"""Issue 16 §2, first load: the session, the tasks and the calendar are asked for at once (not one after another),
and an app that has its tasks on the phone shows them before the network answers. The proofs hold one answer
back in the real server (a request hook waiting on an event the test sets) and look at what happened meanwhile."""
import threading

import pytest
from flask import request
from playwright.sync_api import expect

from tests.browser.helpers import wait_until

from .walk import ready, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.own_app]  # Gate adds a request hook


class Gate:
    """Holds the server's answer to `path` until released; records every path the server was asked for."""

    def __init__(self, app, path):
        self.path, self.open, self.arrived, self.held = path, threading.Event(), [], 0
        app.before_request_funcs.setdefault(None, []).insert(0, self.hook)

    def hook(self):
        self.arrived.append(request.path)
        if request.path == self.path and not self.open.is_set():
            self.held += 1
            self.open.wait(60)

    def release(self):
        self.open.set()


def test_the_three_first_calls_go_out_together(app, dispatched, live_server, context, page):
    base = live_server.url
    page.goto(f"{base}/login?next=/home")
    page.get_by_label("用户名").fill("jt01")
    page.get_by_label("密码", exact=True).fill("lianchi2023")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/home")

    gate = Gate(app, "/api/field/session")
    try:
        page.goto(f"{base}/field/")
        # While the session's answer is held back, the tasks and the calendar are asked for too.
        wait_until(lambda: gate.held and {"/api/field/tasks", "/field/calendar.json"} <= set(gate.arrived),
                   10, "the tasks and the calendar asked for while the session is pending")
    finally:
        gate.release()
    ready(page)
    expect(page.get_by_text(dispatched.record.entity.name)).to_be_visible()


def test_tasks_on_the_phone_show_before_the_network_answers(app, dispatched, live_server, context, page):
    base = live_server.url
    sign_in(page, base)
    expect(page.get_by_text(dispatched.record.entity.name)).to_be_visible()

    gate = Gate(app, "/api/field/tasks")
    try:
        page.goto(f"{base}/field/")          # not from the sign-in page: the phone's copy may be shown at once
        ready(page)
        expect(page.get_by_text(dispatched.record.entity.name)).to_be_visible()
        wait_until(lambda: gate.held, 10, "the tasks asked for again")
        assert not gate.open.is_set()        # the list above was drawn while the download was held
    finally:
        gate.release()
