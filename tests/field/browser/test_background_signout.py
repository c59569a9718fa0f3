"""A sign-out made without network reaches the server through the service worker alone (issue 10 §2): the
inspector signs out offline and closes the app; when the phone has a connection again, the browser fires the
`field-signout` sync event (Chromium fires it by itself on reconnecting; the test also dispatches it through the
DevTools protocol, as the browser would) and the worker ends the server session, with no field page open: the
request that ends it is the worker's own. A cookie copied before the sign-out is refused afterwards."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.helpers import copied_cookies_refused, wait_until
from webapp.core.extensions import db
from webapp.stages.accounts.models import User, UserSession

from .test_background_sync import WORKER_ALONE_ONLINE, _registration_id, _worker
from .walk import go_offline, ready, sign_in

pytestmark = pytest.mark.browser

PENDING_SIGNOUTS = """async () => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open("spotcheck-field"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  try {
    return await new Promise((ok, no) => {
      const r = db.transaction("meta").objectStore("meta").get("signouts");
      r.onsuccess = () => ok(r.result === undefined ? null : r.result); r.onerror = () => no(r.error); });
  } finally { db.close(); }
}"""


def _revoked(username):
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == username))
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    return bool(sessions) and all(s.revoked_at is not None for s in sessions)


def test_the_worker_ends_the_server_session_of_an_offline_sign_out_after_the_app_was_closed(
        dispatched, browser, live_server, context, page):
    base = live_server.url
    sign_in(page, base)                                   # jt01
    expect(page.locator("li.task")).to_contain_text(dispatched.record.entity.name)
    copied = context.cookies()
    go_offline(context, page)
    page.get_by_role("button", name="退出").click()       # nothing unsent: no warning, signed out at once
    page.wait_for_url(f"{base}/field/")
    ready(page)
    expect(page.get_by_text("联网后会自动通知服务器结束本次登录")).to_be_visible()
    worker = _worker(context, base)
    assert len(worker.evaluate(PENDING_SIGNOUTS)) == 1    # the sign-out token waits in the phone's store
    assert not _revoked("jt01")

    # The app is closed; the phone gets a connection later, with no field page open.
    blank = context.new_page()
    cdp = context.new_cdp_session(blank)
    registration = _registration_id(cdp, f"{base}/")
    sent = []
    context.on("request", lambda r: sent.append(r) if r.url.endswith("/logout/later") else None)
    page.close()
    context.set_offline(False)
    wait_until(lambda: worker.evaluate(WORKER_ALONE_ONLINE), what="the worker online with no field page open")

    cdp.send("ServiceWorker.dispatchSyncEvent",
             {"origin": base, "registrationId": registration, "tag": "field-signout", "lastChance": False})
    wait_until(lambda: _revoked("jt01"), 30, "jt01's server session ended by the worker")
    wait_until(lambda: worker.evaluate(PENDING_SIGNOUTS) == [], 30, "the worker's queue of sign-outs emptied")
    assert sent and all(r.service_worker is not None for r in sent)   # sent by the worker, not by a page

    copied_cookies_refused(browser, base, copied)
