"""The task list on the phone (issue 16 §2, the list of 200 tasks within a second): it is drawn from the cards kept
beside the tasks (what a card shows, without the checklists), the cards follow every download and every change of a
task's status, a phone whose tasks were stored before the cards existed still shows its list, and in Chromium the
shell and its files come straight from the worker's cache by its static routes (no fetch event per file)."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests import factories
from webapp.core.extensions import db
from webapp.stages.directory.models import Entity

from .walk import go_offline, installed, ready, sign_in, stored, wait_stored

pytestmark = pytest.mark.browser

_DROP = """async (key) => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open("spotcheck-field"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  try {
    await new Promise((ok, no) => {
      const tx = db.transaction("meta", "readwrite"); tx.objectStore("meta").delete(key);
      tx.oncomplete = ok; tx.onerror = () => no(tx.error); });
  } finally { db.close(); }
}"""

# The app's own db.js (the same module instance as the page's: the same versioned URL), for a status change as
# sync.js makes it when the server answers a 补充说明.
_STATUS = """async ([id, status, label]) => {
  const src = [...document.querySelectorAll('link[rel=modulepreload]')].map((l) => l.href).find((h) => h.endsWith('/field/db.js'));
  const db = await import(src);
  await db.updateTask(id, (t) => ({ ...t, status, status_label: label }));
}"""


def test_the_list_is_drawn_from_cards_that_follow_the_downloads(dispatched, live_server, context, page):
    base = live_server.url
    a = dispatched.record
    third = db.session.scalars(select(Entity).order_by(Entity.id).offset(2).limit(1)).one()
    extra = factories.dispatched(dispatched.plan, third, ("jt01", "jt02"))
    uid = factories.get_user("jt01").id
    sign_in(page, base)
    installed(page)
    key = f"cards:{uid}"
    cards = wait_stored(page, "meta", key, lambda c: len(c) == 2, "both cards stored")
    assert {c["entity"]["name"] for c in cards} == {a.entity.name, third.name}
    assert all(set(d) == {"name"} for c in cards for d in c["departments"])     # no checklist in a card
    assert stored(page, "tasks", a.id)["departments"][0]["items"]              # the task keeps it
    expect(page.locator("li.task")).to_have_count(2)

    # jt01 leaves the second team: the next download drops its task and its card.
    db.session.delete(next(m for m in extra.members if m.inspector.user_id == uid))
    db.session.commit()
    page.reload()
    ready(page)
    wait_stored(page, "meta", key, lambda c: [x["record_id"] for x in c] == [a.id], "the card dropped")
    expect(page.locator("li.task")).to_have_count(1)

    # A status the server gave (a 补充说明 taken) changes the task and its card together.
    page.evaluate(_STATUS, [a.id, "submitted", "已提交（测试）"])
    assert stored(page, "tasks", a.id)["status_label"] == "已提交（测试）"
    assert stored(page, "meta", key)[0]["status_label"] == "已提交（测试）"

    # A phone whose tasks were stored before the cards existed: offline, the list is built from its tasks.
    go_offline(context, page)
    page.evaluate(_DROP, key)
    page.reload()
    ready(page)
    expect(page.locator("li.task")).to_have_count(1)
    expect(page.locator("li.task")).to_contain_text(a.entity.name)
    expect(page.locator("li.task .badge").last).to_have_text("已提交（测试）")


def test_the_shell_and_its_files_come_from_the_cache_by_the_static_routes(dispatched, live_server, context, page):
    sign_in(page, live_server.url)
    installed(page)
    page.reload()
    ready(page)
    sources = page.evaluate("""() => [performance.getEntriesByType("navigation")[0],
        ...performance.getEntriesByType("resource").filter((r) => r.name.includes("/field/"))]
      .map((r) => [new URL(r.name).pathname, r.workerMatchedSourceType || "", r.workerFinalSourceType || ""])""")
    modules = [s for s in sources if s[0].endswith(("/field/app.js", "/field/db.js", "/field/field.css"))]
    assert sources[0] == ["/field/", "cache", "cache"], sources
    assert len(modules) == 3 and all(s[1:] == ["cache", "cache"] for s in modules), sources
