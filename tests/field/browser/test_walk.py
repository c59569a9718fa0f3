"""The inspector's walk of issue 5's "Done when", in Chromium on a 360×740 phone, against the real server."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.domain.findings import findings_hash
from webapp.stages.records.models import InspectionRecord, Media

from .walk import (
    add_photo,
    camera_jpeg,
    check_in_and_team,
    draw_signature,
    fill_checklist,
    go_offline,
    ready,
    shot,
    sign_in,
    submit_offline,
    take_picture,
)

pytestmark = pytest.mark.browser


def test_offline_walk_from_check_in_to_synced_record(dispatched, live_server, context, page, tmp_path):
    base = live_server.url
    record_id, token = dispatched.record.id, dispatched.record.entity.checkin_token
    errors, earlier = [], []  # earlier: every request of the online load; the reload aborts those still in flight
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: earlier.append(r))

    sign_in(page, base)
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
    expect(page.get_by_text(dispatched.record.entity.name)).to_be_visible()
    expect(page.get_by_text(dispatched.other.entity.name)).not_to_be_visible()
    shot(page, "field-01-tasks")

    go_offline(context, page)
    stale, served = set(earlier), []
    page.on("response", lambda r: r.request in stale or served.append((r.url, r.from_service_worker)))
    page.on("requestfailed", lambda r: r in stale or served.append((r.url, f"failed: {r.failure}")))
    page.reload()
    ready(page)
    # An offline reload makes no network request: the shell, its modules, styles and icon come from the worker.
    assert served and all(from_sw is True for _, from_sw in served), served
    expect(page.get_by_text(dispatched.record.entity.name)).to_be_visible()
    expect(page.locator("#net")).to_have_text("离线")
    shot(page, "field-02-offline-reload")

    check_in_and_team(page, base, token)
    expect(page.get_by_text("已在").first).to_be_visible()
    shot(page, "field-03-team")

    fill_checklist(page)
    photo = tmp_path / "camera.jpg"
    photo.write_bytes(camera_jpeg())
    add_photo(page, page.locator("li.point").first, photo)
    shot(page, "field-04-checklist", page.locator("li.point").first)

    page.get_by_role("link", name="下一步：签字确认").click()
    ready(page)
    code = page.locator("#short-code").inner_text()
    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}", code)
    draw_signature(page)
    seal = tmp_path / "seal.jpg"
    seal.write_bytes(camera_jpeg((1200, 900)))
    take_picture(page, page.get_by_text("拍摄印章"), seal, page.locator(".photo-row + div .thumbs img"))
    shot(page, "field-05-sign", page.locator("#short-code"))
    submit_offline(page, "确认签字并提交", "已签字，内容已锁定。")
    expect(page.locator("#outbox")).to_contain_text("离线")
    shot(page, "field-06-signed-offline")

    context.set_offline(False)
    page.locator("#outbox").wait_for(state="hidden")
    assert not errors, errors

    db.session.expire_all()
    record = db.session.get(InspectionRecord, record_id)
    assert record.status == "submitted"
    assert record.findings_hash == findings_hash(record.findings, record.result_codes)
    assert code.replace("-", "").lower() == record.findings_hash[:8]
    assert record.signature_sha and not record.refused
    kinds = {m.kind: m for m in db.session.scalars(select(Media).where(Media.record_id == record_id))}
    assert set(kinds) == {"photo", "signature", "seal"}
    assert record.seal_sha == kinds["seal"].sha256
    first_point = record.findings["departments"][0]["items"][0]["points"][0]
    assert first_point["photos"] == [kinds["photo"].sha256]
    assert record.signature_sha == kinds["signature"].sha256
    page.goto(f"{base}/field/")
    ready(page)
    card = page.locator("li.task", has_text=dispatched.record.entity.name)
    expect(card.locator(".badge")).to_have_text("已同步")
    expect(card.locator(".deadline")).to_contain_text("已同步（期限")
    shot(page, "field-07-synced", card)
