"""Background Sync with the app closed: a record signed offline reaches the server when the browser fires the
sync event after the inspector closed the field app; the service worker uploads it itself (same outbox code,
same session cookie). The sync event is dispatched through the DevTools protocol, as the browser would."""
import time

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import wait_until
from webapp.core.extensions import db
from webapp.stages.records.models import InspectionRecord

from .walk import ready, signed_offline

pytestmark = pytest.mark.browser

# What the worker must see before a sync event can find its outbox to upload: the network back, and no field page
# left for it to hand the work to (a page that is closing may still be listed for a moment).
WORKER_ALONE_ONLINE = "async () => navigator.onLine && (await self.clients.matchAll({ type: 'window' })).length === 0"


def _registration_id(cdp, scope: str) -> str:
    found = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda e: found.update(
        {r["scopeURL"]: r["registrationId"] for r in e["registrations"] if not r["isDeleted"]}))
    deadline = time.monotonic() + 30
    # Events are delivered while a command is in flight: ask again until the registration has been reported.
    while scope not in found:
        assert time.monotonic() < deadline, found
        cdp.send("ServiceWorker.enable")
    return found[scope]


def _worker(context, base):
    return wait_until(lambda: next((w for w in context.service_workers if w.url.startswith(base)), None),
                      what="the field app's service worker")


def test_the_worker_uploads_a_record_signed_offline_after_the_app_was_closed(dispatched, live_server, context, page):
    base = live_server.url
    record_id = dispatched.record.id
    signed_offline(page, context, base, dispatched.record.entity.checkin_token)
    expect(page.locator("#outbox-count")).to_have_text("待同步 1 条")

    # The inspector closes the app; the phone gets a connection later. No field page is open.
    blank = context.new_page()
    cdp = context.new_cdp_session(blank)
    registration = _registration_id(cdp, f"{base}/")
    worker = _worker(context, base)
    page.close()
    context.set_offline(False)
    wait_until(lambda: worker.evaluate(WORKER_ALONE_ONLINE), what="the worker online with no field page open")
    db.session.expire_all()
    assert db.session.get(InspectionRecord, record_id).status == "dispatched"

    cdp.send("ServiceWorker.dispatchSyncEvent",
             {"origin": base, "registrationId": registration, "tag": "field-outbox", "lastChance": False})

    def submitted():
        db.session.expire_all()
        record = db.session.get(InspectionRecord, record_id)
        return record if record.status == "submitted" else None

    record = wait_until(submitted, what="the record uploaded by the worker")
    assert record.signature_sha and record.findings_hash

    # Opened again, the app shows the record as synced: nothing waits in the outbox.
    again = context.new_page()
    again.goto(f"{base}/field/task/{record_id}")
    ready(again)
    expect(again.locator(".deadline")).to_contain_text("已同步")
    expect(again.locator("#outbox")).not_to_be_visible()
