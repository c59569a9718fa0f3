"""Two more walks in WebKit (iPhone's engine, as WebKitGTK) on a 360×740 phone, the connection cut by the test's
loopback forwarder: the legal representative refuses to sign (the truthful record of the refusal, synced and
shown to the reviewer), and an app update deployed while the phone holds unsent work (the worker updates, nothing
unsent is lost, the new version is in use)."""
import shutil

import pytest
from selenium.webdriver.common.by import By

from tests.browser.helpers import wait_until
from tests.field.browser.walk import camera_jpeg
from webapp.core.extensions import db
from webapp.faces.field import shell
from webapp.stages.records.models import Media

from . import phone
from .test_visit import offline_at_the_enterprise, record_of

pytestmark = [pytest.mark.browser, pytest.mark.webkit]

NOTE = "法定代表人张某到场后拒绝在检查记录上签字，称需请示总公司。"
WORKER_VERSION = """
  const done = arguments[arguments.length - 1];
  const channel = new MessageChannel();
  channel.port1.onmessage = (e) => done(e.data);
  navigator.serviceWorker.controller.postMessage({ type: "VERSION" }, [channel.port2]);"""


def test_a_refusal_to_sign_offline_in_webkit_reaches_the_reviewer(dispatched, network, webkit, tmp_path):
    driver, base = webkit, network.url
    offline_at_the_enterprise(driver, network, dispatched)
    phone.team(driver, base, dispatched.record.entity.checkin_token)
    phone.checklist(driver, fail_first=True)
    phone.click_text(driver, "下一步：签字确认")
    phone.until(driver, "return location.pathname.endsWith('/sign')", what="the signing step")
    phone.ready(driver)

    phone.click_text(driver, "当事人拒绝签字", "summary")
    phone.click_text(driver, "确认拒签并提交", "button")
    phone.text_shown(driver, "请填写拒签情况说明。")
    note = driver.find_element(By.ID, "refusal-note")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", note)
    note.send_keys(NOTE)
    phone.until(driver, "return !document.body.innerText.includes('请填写拒签情况说明。')",
                what="the error to go once the text is filled")
    phone.click_text(driver, "确认拒签并提交", "button")
    phone.text_shown(driver, "拒签须由两名在场检查人员确认。")
    for box in driver.find_elements(By.CSS_SELECTOR, "details.refuse input[type=checkbox]")[:2]:
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.click()
    picture = tmp_path / "evidence.jpg"
    picture.write_bytes(camera_jpeg((1600, 1200)))
    phone.photo(driver, "details.refuse", picture)
    phone.shot(driver, "webkit-refusal-01-form")
    phone.click_text(driver, "确认拒签并提交", "button")
    phone.text_shown(driver, "已记录拒绝签字，内容已锁定。")
    phone.until(driver, "return document.getElementById('outbox-count')?.textContent === '待同步 1 条'",
                what="the refusal in the outbox")
    phone.shot(driver, "webkit-refusal-02-locked-offline")
    assert record_of(dispatched).status != "submitted"

    network.restore()
    phone.until(driver, "return document.getElementById('outbox').hidden", timeout=90, what="the outbox to empty")
    record = wait_until(lambda: (r := record_of(dispatched)).status == "submitted" and r, what="the record")
    assert record.refused and record.signature_sha is None
    assert record.refusal_note == NOTE
    assert "corrected" in record.result_codes
    evidence = [m for m in db.session.query(Media).filter_by(record_id=record.id)]
    assert [m.kind for m in evidence] == ["evidence"]

    # The reviewer of 教体局 reads the same truthful record, on the same phone once the inspector is gone.
    driver.delete_all_cookies()
    driver.get(f"{base}/login?next=/review/records/{record.id}")
    driver.find_element(By.NAME, "username").send_keys("jt_review")
    driver.find_element(By.NAME, "password").send_keys("lianchi2023")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    phone.until(driver, "return location.pathname === arguments[0]", f"/review/records/{record.id}",
                what="the reviewer's record page")
    phone.text_shown(driver, "拒绝签字：")
    phone.text_shown(driver, NOTE)
    assert driver.execute_script("return document.querySelectorAll('img[alt^=\"拒签证据\"]').length") == 1
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.shot(driver, "webkit-refusal-03-reviewer")


def test_an_app_update_in_webkit_keeps_the_unsent_draft_and_uses_the_new_version(
        dispatched, app, network, webkit, tmp_path):
    driver, base = webkit, network.url
    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static)
    app.static_folder = str(static)
    first = shell.version()
    phone.sign_in(driver, base)
    phone.installed(driver)
    assert driver.execute_async_script(WORKER_VERSION) == first

    # Unsent work: a draft with a failed point, its note and a photo, only on this phone.
    phone.team(driver, base, dispatched.record.entity.checkin_token)
    phone.click_text(driver, "下一步：检查内容")
    phone.ready(driver)
    point = driver.find_element(By.CSS_SELECTOR, "li.point")
    radio = point.find_element(By.CSS_SELECTOR, "input[value=fail]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", radio)
    radio.find_element(By.XPATH, "..").click()
    point.find_element(By.CSS_SELECTOR, "textarea").send_keys("灭火器过期")
    picture = tmp_path / "camera.jpg"
    picture.write_bytes(camera_jpeg((2000, 1500)))
    phone.photo(driver, "li.point", picture)

    # A new release: one asset changes, so the worker's bytes change; the phone finds it, then loses the network.
    css = static / "field" / "field.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* release 2 */\n", encoding="utf-8")
    second = shell.version()
    assert second != first
    driver.execute_async_script("const done = arguments[arguments.length - 1];"
                                "navigator.serviceWorker.getRegistration().then((r) => r.update()).then(() => done(1))")
    phone.text_shown(driver, "有新版本")
    phone.shot(driver, "webkit-update-01-offered")
    network.cut()
    driver.execute_script("window.__before_update = true")
    phone.click_text(driver, "立即更新", "button")
    phone.until(driver, "return !window.__before_update && document.body.dataset.ready === location.pathname",
                what="the page reloaded by the new worker")
    phone.installed(driver)

    # The new version is in use, offline: its worker, its cache, its files.
    assert driver.execute_async_script(WORKER_VERSION) == second
    assert driver.execute_script("return location.pathname").endswith("/checklist")
    scripts = driver.execute_script("return [...document.querySelectorAll('script[src], link[rel=stylesheet]')]"
                                    ".map((e) => e.src || e.href).filter((u) => u.includes('/static/v/'))")
    assert scripts and all(f"/static/v/{second}/" in u for u in scripts)
    caches = driver.execute_async_script("const done = arguments[arguments.length - 1]; caches.keys().then(done)")
    assert caches == [f"field-shell-{second}"]

    # Nothing unsent lost: the answer, the note and the photo are still there.
    point = driver.find_element(By.CSS_SELECTOR, "li.point")
    assert point.find_element(By.CSS_SELECTOR, "input[value=fail]").is_selected()
    assert point.find_element(By.CSS_SELECTOR, "textarea").get_attribute("value") == "灭火器过期"
    phone.until(driver, "return arguments[0].querySelectorAll('.thumbs img').length === 1", point,
                what="the photo's thumbnail after the update")
    phone.shot(driver, "webkit-update-02-kept-draft")
