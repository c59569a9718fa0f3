"""The whole visit offline in WebKit (iPhone's engine, as WebKitGTK) on a 360×740 phone: the connection cut by
the test's loopback forwarder while navigator.onLine stays true, so the app must notice by its failed requests."""
import re

import pytest
from sqlalchemy import select

from tests.browser.helpers import wait_until
from tests.field.browser.walk import camera_jpeg
from webapp.core.extensions import db
from webapp.domain.findings import findings_hash
from webapp.stages.records.models import InspectionRecord, Media

from . import phone

pytestmark = [pytest.mark.browser, pytest.mark.webkit]


def record_of(dispatched):
    db.session.expire_all()
    return db.session.get(InspectionRecord, dispatched.record.id)


def offline_at_the_enterprise(driver, network, dispatched):
    """Sign in, let the worker take control, cut the connection, reload: the app says 离线."""
    base = network.url
    phone.sign_in(driver, base)
    phone.text_shown(driver, dispatched.record.entity.name)
    phone.installed(driver)
    phone.ready(driver)
    phone.shot(driver, "webkit-01-tasks")
    network.cut()
    driver.refresh()
    phone.ready(driver)
    phone.text_shown(driver, dispatched.record.entity.name)
    phone.until(driver, "return document.getElementById('net').textContent === '离线'",
                what="the app to see it is offline though navigator.onLine is true")
    assert driver.execute_script("return navigator.onLine") is True
    phone.shot(driver, "webkit-02-offline-reload")


def test_a_whole_visit_offline_in_webkit(dispatched, network, webkit, tmp_path):
    driver, base = webkit, network.url
    offline_at_the_enterprise(driver, network, dispatched)

    phone.team(driver, base, dispatched.record.entity.checkin_token)
    phone.text_shown(driver, "已在")
    phone.checklist(driver)
    picture = tmp_path / "camera.jpg"
    picture.write_bytes(camera_jpeg((2000, 1500)))
    phone.photo(driver, "li.point", picture)
    phone.shot(driver, "webkit-03-checklist")

    phone.click_text(driver, "下一步：签字确认")
    phone.until(driver, "return location.pathname.endsWith('/sign')", what="the signing step")
    phone.ready(driver)
    code = driver.execute_script("return document.getElementById('short-code').textContent")
    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}", code)
    phone.signature(driver)
    phone.until(driver, "return [...document.querySelectorAll('button')].some((b) => "
                "b.textContent === '确认签字并提交' && !b.disabled)", what="the signature to enable signing")
    phone.shot(driver, "webkit-04-sign")
    phone.click_text(driver, "确认签字并提交", "button")
    phone.text_shown(driver, "已签字，内容已锁定。")
    phone.until(driver, "return document.getElementById('outbox-count')?.textContent === '待同步 1 条'",
                what="the record in the outbox")
    assert "待联网后上传" in phone.outbox(driver)
    phone.shot(driver, "webkit-05-signed-offline")
    assert record_of(dispatched).status != "submitted"

    network.restore()           # the app's probe finds the server again and the outbox flushes by itself
    phone.until(driver, "return document.getElementById('outbox').hidden", timeout=90, what="the outbox to empty")
    record = wait_until(lambda: (r := record_of(dispatched)).status == "submitted" and r, what="the record")
    assert record.findings_hash == findings_hash(record.findings, record.result_codes)
    assert code.replace("-", "").lower() == record.findings_hash[:8]
    assert record.signature_sha and not record.refused
    kinds = {m.kind: m for m in db.session.scalars(select(Media).where(Media.record_id == record.id))}
    assert set(kinds) == {"photo", "signature"}
    assert record.signature_sha == kinds["signature"].sha256
    first_point = record.findings["departments"][0]["items"][0]["points"][0]
    assert first_point["photos"] == [kinds["photo"].sha256]
    driver.get(f"{base}/field/")
    phone.ready(driver)
    phone.until(driver, "return [...document.querySelectorAll('li.task')].some((t) => t.innerText.includes(arguments[0])"
                " && t.querySelector('.badge')?.textContent === '已同步')", dispatched.record.entity.name,
                what="the task card marked 已同步")
    phone.shot(driver, "webkit-06-synced")
