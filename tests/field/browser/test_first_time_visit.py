"""Issue 16 §4: the taps of a whole visit (the seed's 14 matters, 39 points), counted by the test that walks it, and
the photo budget (a detailed 4000×3000 camera photo fits in 300 KB at 1600 px)."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import wait_until
from webapp.core.extensions import db
from webapp.domain.findings import findings_hash
from webapp.stages.records.models import InspectionRecord

from .walk import add_photo, camera_jpeg, draw_signature, go_offline, ready, shot, sign_in

pytestmark = pytest.mark.browser

TAP_BUDGET = 35


class Taps:
    """Every action a finger makes on the phone, counted: a click or tap, a tick, a field filled, a choice in a
    list, one signature stroke."""

    def __init__(self, page):
        self.page, self.n, self.log = page, 0, []

    def _count(self, what):
        self.n += 1
        self.log.append(what)

    def click(self, locator, what="click"):
        self._count(what)
        locator.click()

    def check(self, locator, what="tick"):
        self._count(what)
        locator.check()

    def select(self, locator, index, what="choose"):
        self._count(what)
        locator.select_option(index=index)

    def sign(self):
        self._count("signature")
        draw_signature(self.page)


def test_the_seeds_visit_from_the_poster_to_the_signed_record_takes_at_most_35_taps(dispatched, live_server, context, page):
    base, record = live_server.url, dispatched.record
    sign_in(page, base)                      # once, at the office, before the day's visits: not part of the visit
    taps = Taps(page)

    page.goto(f"{base}/checkin/{record.entity.checkin_token}")      # the phone's camera reads the poster
    page.wait_for_url(re.compile(r".*/team$"))
    ready(page)
    for n in (0, 1):
        taps.check(page.locator("input[data-cert]").nth(n))
    taps.check(page.get_by_label("已向当事人出示执法证件"))
    taps.check(page.get_by_label("检查人员已按规定着装"))
    taps.click(page.get_by_role("link", name="下一步：检查内容"))
    page.wait_for_url(re.compile(r".*/checklist$"))
    ready(page)

    assert page.locator("section.item").count() == 14 and page.locator("li.point").count() == 39
    for select in page.locator("section.item select").all():
        if not select.input_value():                                  # single-method matters come chosen
            taps.select(select, 1)
    taps.click(page.get_by_role("button", name="已选检查方式的事项：其余要点均为符合"))
    expect(page.locator("#progress-count")).to_have_text("答 39/39")
    shot(page, "field-first-visit-checklist")
    taps.check(page.get_by_label("未发现问题"))
    taps.click(page.get_by_role("link", name="下一步：签字确认"))
    ready(page)

    taps.sign()
    taps.click(page.get_by_role("button", name="确认签字并提交"))
    page.get_by_text("已签字，内容已锁定。").wait_for()
    shot(page, "field-first-visit-signed")

    def submitted():
        db.session.expire_all()
        row = db.session.get(InspectionRecord, record.id)
        return row if row.status == "submitted" else None

    row = wait_until(submitted, what="the signed record on the server")
    assert row.findings_hash == findings_hash(row.findings, row.result_codes)
    points = [p for d in row.findings["departments"] for it in d["items"] for p in it["points"]]
    assert len(points) == 39 and all(p["result"] == "pass" for p in points)
    print(f"\ntaps from the poster to the signed record: {taps.n} ({', '.join(taps.log)})")
    assert taps.n <= TAP_BUDGET, taps.log


def test_a_detailed_camera_photo_fits_300_kb_at_1600_px(dispatched, live_server, context, page, tmp_path):
    base = live_server.url
    sign_in(page, base)
    go_offline(context, page)
    page.goto(f"{base}/field/task/{dispatched.record.id}/checklist")
    ready(page)
    photo = tmp_path / "detailed.jpg"
    photo.write_bytes(camera_jpeg((4000, 3000)))                      # real noise: JPEG cannot squeeze it away
    assert photo.stat().st_size > 3_000_000
    add_photo(page, page.locator("li.point").first, photo)
    stored = page.evaluate("""() => new Promise((ok, no) => {
      const r = indexedDB.open("spotcheck-field");
      r.onsuccess = () => { const q = r.result.transaction("media").objectStore("media").getAll();
        q.onsuccess = () => ok(q.result.map((m) => ({ w: m.width, h: m.height, size: m.blob.size, type: m.type })));
        q.onerror = () => no(q.error); };
    })""")
    assert len(stored) == 1
    assert stored[0]["w"] == 1600 and stored[0]["h"] == 1200 and stored[0]["type"] == "image/jpeg"
    print(f"\na detailed 4000×3000 photo on the phone: {stored[0]['size'] / 1024:.0f} KB at 1600×1200")
    assert 150 * 1024 < stored[0]["size"] <= 300 * 1024     # the budget used, not a blur far below it
