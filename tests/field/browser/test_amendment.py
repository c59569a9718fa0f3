"""Issue 6 on the phone: a reviewer's return reaches the team's phone, the 补充说明 is written offline, waits in the
outbox and comes back to the server, and the signed findings stay exactly as they were."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.stages.accounts.models import User
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import service
from webapp.stages.review.models import Amendment

from .walk import go_offline, ready, shot, sign_and_submit, sign_in, to_sign_page

pytestmark = pytest.mark.browser

COMMENT = "请补充消防通道整改后的情况说明。"
ANSWER = "消防通道杂物已于次日清理完毕，企业负责人已书面承诺保持畅通。"


def _submitted_from_the_phone(page, base, dispatched) -> InspectionRecord:
    """The team submits a signed record from the phone, as in the walk; the server's record once synced."""
    sign_in(page, base)
    to_sign_page(page, base, dispatched.record.entity.checkin_token, fail_first=True)
    sign_and_submit(page)
    page.goto(f"{base}/field/task/{dispatched.record.id}")
    ready(page)
    expect(page.locator(".deadline")).to_contain_text("已同步")
    db.session.expire_all()
    return db.session.get(InspectionRecord, dispatched.record.id)


def test_return_reaches_the_phone_and_the_amendment_comes_back_without_touching_the_findings(
        dispatched, live_server, context, page):
    base = live_server.url
    record_id = dispatched.record.id
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    record = _submitted_from_the_phone(page, base, dispatched)
    assert record.status == "submitted"
    findings, findings_hash, signature = record.findings, record.findings_hash, record.signature_sha

    # The reviewer of 交通局 returns it with a comment.
    reviewer = db.session.scalar(select(User).where(User.username == "jt_review"))
    service.decide(record, reviewer, "return", COMMENT)

    # The phone downloads the tasks: the task is first, marked 退回, and its page shows the comment.
    page.goto(f"{base}/field/")
    ready(page)
    first = page.locator("li.task").first
    expect(first).to_contain_text(dispatched.record.entity.name)
    expect(first.locator(".badge.returned")).to_have_text("退回")
    expect(first.locator(".badge").last).to_have_text("待补充说明")
    shot(page, "field-amend-01-tasks")
    first.locator("a").click()
    ready(page)
    section = page.locator("section.returns")
    expect(section).to_contain_text(COMMENT)
    expect(section).to_contain_text(reviewer.full_name)
    expect(page.locator("#task-status")).to_have_text("待补充说明")
    expect(page.locator(".badge.returned")).to_have_text("退回")
    shot(page, "field-amend-02-task")
    shot(page, "field-amend-03-returned", section)

    # Offline: the amendment is written, saved on the phone and waits in the outbox.
    go_offline(context, page)
    page.get_by_role("textbox", name="补充说明").fill(ANSWER)
    page.get_by_role("button", name="提交补充说明").click()
    ready(page)
    expect(page.locator("#outbox-count")).to_have_text("待同步 1 条")
    expect(page.locator(".amendment.waiting")).to_contain_text("待联网后上传")   # waiting is no failure
    expect(page.locator(".amendment.waiting")).to_contain_text(ANSWER)
    expect(page.locator("#task-status")).to_have_text("补充说明待联网后上传")
    stored = page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open("spotcheck-field");
        open.onsuccess = () => {
          const r = open.result.transaction("amendments").objectStore("amendments").getAll();
          r.onsuccess = () => resolve(r.result.map((a) => ({ text: a.text, state: a.sync.state, id: a.client_id })));
          r.onerror = () => reject(r.error);
        };
      })""")
    assert len(stored) == 1 and stored[0]["text"] == ANSWER and stored[0]["state"] == "queued", stored
    client_id = stored[0]["id"]
    db.session.expire_all()
    assert db.session.get(InspectionRecord, record_id).status == "returned"
    shot(page, "field-amend-04-waiting", page.locator(".amendment.waiting"))

    # Online: it is sent once under its client_id; the task shows 已提交补充说明 and the server's status.
    context.set_offline(False)
    page.locator("#outbox").wait_for(state="hidden")
    expect(page.locator(".amendment.sent")).to_contain_text("已提交补充说明")
    expect(page.locator(".amendment.sent")).to_contain_text("服务器状态：已提交")
    expect(page.locator("#task-status")).to_have_text("已提交")
    expect(page.get_by_role("button", name="提交补充说明")).to_have_count(0)
    shot(page, "field-amend-05-synced", page.locator("section.returns"))

    db.session.expire_all()
    record = db.session.get(InspectionRecord, record_id)
    amendments = db.session.scalars(select(Amendment).where(Amendment.record_id == record_id)).all()
    assert [(a.text, a.client_id, a.by.username) for a in amendments] == [(ANSWER, client_id, "jt01")]
    assert record.status == "submitted"
    assert record.findings == findings and record.findings_hash == findings_hash
    assert record.signature_sha == signature

    # A reload shows the same from the server; the list no longer marks it 退回.
    page.goto(f"{base}/field/")
    ready(page)
    card = page.locator("li.task", has_text=dispatched.record.entity.name)
    expect(card.locator(".badge.returned")).to_have_count(0)
    assert not errors, errors


def test_an_amendment_refused_because_a_teammate_answered_first_can_be_set_aside_on_the_phone(
        dispatched, live_server, context, page):
    """The record is answered from another phone while this one is offline: the server refuses this phone's
    补充说明 (409, no longer returned); the inspector sets it aside, and it stays on the phone, no longer waiting."""
    base = live_server.url
    record_id = dispatched.record.id
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    record = _submitted_from_the_phone(page, base, dispatched)
    reviewer = db.session.scalar(select(User).where(User.username == "jt_review"))
    service.decide(record, reviewer, "return", COMMENT)
    page.goto(f"{base}/field/task/{record_id}")
    ready(page)
    expect(page.locator("#task-status")).to_have_text("待补充说明")

    go_offline(context, page)
    page.get_by_role("textbox", name="补充说明").fill(ANSWER)
    page.get_by_role("button", name="提交补充说明").click()
    ready(page)
    expect(page.locator("#outbox-count")).to_have_text("待同步 1 条")

    # Meanwhile a teammate (rs01) answers from another phone: the record is submitted again.
    teammate = db.session.scalar(select(User).where(User.username == "rs01"))
    db.session.expire_all()
    service.add_amendment(db.session.get(InspectionRecord, record_id), teammate, "人社部分已补充说明。", "rs01-phone-1")

    context.set_offline(False)
    page.get_by_role("button", name="立即同步").click()
    waiting = page.locator(".amendment.waiting")
    expect(waiting).to_contain_text("补充说明未能提交")
    expect(page.locator("#outbox-count")).to_have_text("待同步 1 条")
    shot(page, "field-amend-06-refused", page.locator("section.returns"))

    page.once("dialog", lambda dialog: dialog.accept())
    waiting.get_by_role("button", name="不再提交（保留在本机）").click()
    page.locator("#outbox").wait_for(state="hidden")
    kept = page.locator(".amendment.withdrawn")
    expect(kept).to_contain_text("已由本人撤下")
    expect(kept).to_contain_text(ANSWER)  # nothing lost
    # The refusal carried the server's status (submitted again): no longer 待补充说明, no form.
    expect(page.locator("#task-status")).not_to_have_text("待补充说明")
    expect(page.locator("#returns-title")).to_have_text("审核意见")
    expect(page.get_by_role("button", name="提交补充说明")).to_have_count(0)
    shot(page, "field-amend-07-set-aside", page.locator("section.returns"))

    # After the next task download the teammate's answer is on this phone too.
    page.goto(f"{base}/field/task/{record_id}")
    ready(page)
    expect(page.locator(".amendment.team")).to_contain_text(f"{teammate.full_name} 已提交补充说明")
    expect(page.locator(".amendment.team")).to_contain_text("人社部分已补充说明。")
    expect(page.locator(".amendment.withdrawn")).to_contain_text(ANSWER)
    shot(page, "field-amend-08-teammate", page.locator("section.returns"))

    db.session.expire_all()
    texts = [a.text for a in db.session.scalars(select(Amendment).where(Amendment.record_id == record_id))]
    assert texts == ["人社部分已补充说明。"]  # only the teammate's reached the server
    assert db.session.get(InspectionRecord, record_id).status == "submitted"
    assert not errors, errors
