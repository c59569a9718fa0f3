"""Issue 16 §4: what a first-time inspector tripped over on a 360 px phone, each point walked in Chromium.
Screenshots go to test-artifacts/ (field-first-*.png)."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests import factories
from webapp.core.extensions import db
from webapp.stages.directory.models import Entity

from .walk import go_offline, ready, shot, sign_in, signed_offline, to_sign_page, wait_stored

pytestmark = pytest.mark.browser

# A radio is clicked; once the screen shows it checked, what does the phone's disk hold for that point?
_SHOWN_THEN_STORED = """async ([recordId, itemId]) => {
  const li = document.querySelector(`li.point[data-point="p-${itemId}-0"]`);
  const input = li.querySelector('input[value="fail"]');
  input.click();
  const shownNow = input.checked;
  while (!input.checked) await new Promise((r) => requestAnimationFrame(r));
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open("spotcheck-field"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  const draft = await new Promise((ok) => {
    const r = db.transaction("drafts").objectStore("drafts").get(recordId); r.onsuccess = () => ok(r.result); });
  db.close();
  return { shownNow, stored: draft.items[itemId].points[0].result };
}"""


def _checklist(page, base, record_id):
    page.goto(f"{base}/field/task/{record_id}/checklist")
    ready(page)


def _points(page):
    return page.locator("li.point").count()


def test_every_answer_is_on_the_disk_before_the_screen_shows_it(dispatched, live_server, context, page):
    """Bulk 其余要点均为符合 on every matter, the page closed the moment the screen shows 39 answers, reopened:
    all 39 are there. A single answer is shown only after its write has committed."""
    base, record_id = live_server.url, dispatched.record.id
    sign_in(page, base)
    _checklist(page, base, record_id)
    first_item = page.locator("section.item").first.get_attribute("data-item")
    seen = page.evaluate(_SHOWN_THEN_STORED, [record_id, int(first_item)])
    assert seen == {"shownNow": False, "stored": "fail"}   # not shown at the click; shown once stored

    total = _points(page)
    assert total == 39
    for section in page.locator("section.item").all():
        section.locator("button", has_text="其余要点均为符合").click()
    expect(page.locator("#progress-count")).to_have_text(f"答 {total}/{total}")
    page.close()                                            # at once: no waiting for anything

    again = context.new_page()
    _checklist(again, base, record_id)
    checked = again.locator("li.point input[type=radio]:checked")
    expect(checked).to_have_count(total)
    assert again.locator("li.point input[value=fail]:checked").count() == 1   # the one given first stayed
    expect(again.locator("#progress-count")).to_have_text(f"答 {total}/{total}")


# Every matter asking for its 检查方式 gets one, and 已选检查方式的事项：其余要点均为符合 is tapped at once: in one
# task, before any of those writes has finished.
_CHOSEN_THEN_TAPPED = """() => {
  const open = [...document.querySelectorAll("section.item select")].filter((s) => !s.value);
  for (const s of open) { s.selectedIndex = 1; s.dispatchEvent(new Event("change", { bubbles: true })); }
  document.getElementById("pass-chosen").click();
  return open.length;
}"""


def test_matters_whose_method_was_chosen_a_moment_before_the_bulk_tap_are_answered_too(dispatched, live_server,
                                                                                      context, page):
    """The bulk tap read the methods from the screen's copy of the draft, which a method's write reaches only once
    it has committed: a matter chosen just before the tap was left unanswered (a test tapping fast saw 答 32/39)."""
    base, record_id = live_server.url, dispatched.record.id
    sign_in(page, base)
    _checklist(page, base, record_id)
    total = _points(page)
    assert page.evaluate(_CHOSEN_THEN_TAPPED) >= 1
    expect(page.locator("#progress-count")).to_have_text(f"答 {total}/{total}")
    page.reload()
    ready(page)
    expect(page.locator("#progress-count")).to_have_text(f"答 {total}/{total}")


def test_the_team_step_needs_two_officers_ticked_and_keeps_the_ticks(dispatched, live_server, context, page):
    base, entity = live_server.url, dispatched.record.entity
    sign_in(page, base)
    page.goto(f"{base}/checkin/{entity.checkin_token}")
    page.wait_for_url(re.compile(r".*/team$"))
    ready(page)
    onwards = page.get_by_role("link", name="下一步：检查内容")
    error = page.get_by_role("alert").filter(has_text="至少两名执法人员在场")
    onwards.click()
    expect(error).to_be_visible()
    assert page.url.endswith("/team")
    page.locator("input[data-cert]").nth(0).check()
    onwards.click()
    expect(error).to_be_visible()
    assert page.url.endswith("/team")
    shot(page, "field-first-team-refused", error)
    page.locator("input[data-cert]").nth(1).check()
    expect(error).to_be_hidden()                         # the rule is met: the message goes
    page.get_by_label("已向当事人出示执法证件").check()
    wait_stored(page, "drafts", dispatched.record.id,          # a reload before the write would lose the tick
                lambda d: d["team"]["credentials_shown"] and len(d["team"]["present"]) == 2, "the ticks on the disk")

    page.reload()
    ready(page)
    expect(page.locator("input[data-cert]").nth(0)).to_be_checked()
    expect(page.locator("input[data-cert]").nth(1)).to_be_checked()
    expect(page.get_by_label("已向当事人出示执法证件")).to_be_checked()
    page.get_by_role("link", name="下一步：检查内容").click()
    page.wait_for_url(re.compile(r".*/checklist$"))


def test_the_refusal_error_clears_once_the_text_is_filled(dispatched, live_server, context, page):
    base = live_server.url
    sign_in(page, base)
    to_sign_page(page, base, dispatched.record.entity.checkin_token)
    page.get_by_text("当事人拒绝签字").click()
    page.get_by_role("button", name="确认拒签并提交").click()
    error = page.get_by_text("请填写拒签情况说明。")
    expect(error).to_be_visible()
    shot(page, "field-first-refusal-error", error)
    page.get_by_label("拒签情况说明（必填）").fill("法定代表人拒绝签字，称需请示上级。")
    expect(error).to_be_hidden()
    shot(page, "field-first-refusal-filled", page.get_by_label("拒签情况说明（必填）"))


def test_after_sync_a_message_and_the_record_stays_in_an_uploaded_section(dispatched, live_server, context, page):
    third = db.session.scalars(select(Entity).order_by(Entity.id).offset(2).limit(1)).one()
    factories.dispatched(dispatched.plan, third, ("jt01", "jt02"))      # a card not yet visited
    base = live_server.url
    signed_offline(page, context, base, dispatched.record.entity.checkin_token)
    page.goto(f"{base}/field/")
    ready(page)
    waiting = page.locator("section.task-group[data-group=待上传] li.task")
    expect(waiting).to_contain_text(dispatched.record.entity.name)
    expect(waiting.locator(".badge")).to_have_text("待联网后上传")       # waiting for the network is no failure
    expect(page.locator("#outbox")).to_contain_text("待联网后上传")
    shot(page, "field-first-offline-list")

    context.set_offline(False)
    page.evaluate("() => dispatchEvent(new Event('online'))")
    expect(page.get_by_text("已上传 1 条")).to_be_visible()
    uploaded = page.locator("section.task-group[data-group=已上传]")
    expect(uploaded.locator("li.task")).to_contain_text(dispatched.record.entity.name)
    groups = page.locator("section.task-group").evaluate_all("(s) => s.map((x) => x.dataset.group)")
    assert groups.index("已上传") < groups.index("待检查"), groups
    shot(page, "field-first-uploaded")


def test_checklist_progress_jump_folding_preselection_and_the_place_kept(dispatched, live_server, context, page):
    base, record_id = live_server.url, dispatched.record.id
    sign_in(page, base)
    go_offline(context, page)
    _checklist(page, base, record_id)
    total = _points(page)
    progress = page.locator("#progress-count")
    expect(progress).to_have_text(f"答 0/{total}")
    expect(progress).to_be_in_viewport()                  # the bar stays on screen at the top of a long list

    # A matter offering one 检查方式 has it chosen already; one offering several asks.
    singles = page.locator("section.item select").evaluate_all(
        "(ss) => ss.filter((s) => s.options.length === 2).map((s) => s.value)")
    assert singles and all(v == "document" for v in singles), singles
    many = page.locator("section.item select").evaluate_all(
        "(ss) => ss.filter((s) => s.options.length > 2).map((s) => s.value)")
    assert many and all(v == "" for v in many)

    first = page.locator("section.item").first
    first.locator("select").select_option(index=1)
    first.locator("button", has_text="其余要点均为符合").click()
    n_first = first.locator("li.point").count()
    expect(progress).to_have_text(f"答 {n_first}/{total}")
    expect(first).to_have_class(re.compile(r"\bfolded\b"))         # a finished matter folds to its title
    expect(first.locator("li.point").first).to_be_hidden()
    shot(page, "field-first-checklist-folded", first)
    first.locator(".item-head").click()                           # tap to open it again
    expect(first.locator("li.point").first).to_be_visible()

    page.get_by_role("button", name="下一个未填").click()
    expect(page.locator("section.item").nth(1).locator("select")).to_be_in_viewport()
    shot(page, "field-first-checklist-jump")
    expect(progress).to_be_in_viewport()

    # The inspector scrolls down to point 20, looks at the signing page, and comes back there.
    target = page.locator("li.point").nth(20)
    target.scroll_into_view_if_needed()
    page.mouse.wheel(0, 1)
    page.wait_for_function("() => (sessionStorage.getItem(`checklist-at:%d`) || '').includes('point:')" % record_id)
    at = page.evaluate("() => sessionStorage.getItem(`checklist-at:%d`)" % record_id)
    page.goto(f"{base}/field/task/{record_id}/sign")
    ready(page)
    page.get_by_role("link", name="返回检查内容").click()
    ready(page)
    assert page.evaluate("() => window.scrollY") > 500
    ref = re.search(r'point:([\w-]+)', at).group(1)
    expect(page.locator(f'li.point[data-point="{ref}"]')).to_be_in_viewport()
    shot(page, "field-first-checklist-back")
