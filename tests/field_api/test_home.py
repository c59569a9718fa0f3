"""The inspector's home section lists their tasks with status and the sync deadline."""
from datetime import date

from webapp.core.extensions import db
from webapp.stages.field import home
from webapp.stages.records.models import InspectionRecord

from .conftest import sha, signature_png, submission


def test_home_shows_tasks_and_the_sync_deadline_once_synced(phone, dispatched):
    phone.login("jt01")
    page = phone.client.get("/home").get_data(as_text=True)
    assert dispatched.record.entity.name in page
    assert dispatched.other.entity.name not in page
    assert f"未检查 · 抽查期至 {dispatched.plan.window_end.isoformat()}" in page

    dispatched.plan.window_start = date(2026, 1, 5)
    db.session.commit()
    signature = signature_png()
    assert phone.upload(dispatched.record.id, signature, kind="signature").status_code == 201
    body = submission(dispatched.record, signature=sha(signature), inspected_on=date(2026, 3, 2))
    assert phone.put(body).status_code == 201
    page = phone.client.get("/home").get_data(as_text=True)
    assert "已同步，检查日 2026-03-02，同步期限 2026-03-09（逾期同步）" in page
    assert "已提交" in page


def test_an_inspected_record_not_yet_synced_counts_working_days_left(dispatched):
    record = db.session.get(InspectionRecord, dispatched.record.id)
    record.inspected_on = date(2026, 6, 1)  # Monday; due the fifth working day after, Monday 8 June
    lines = home.deadline_lines([record], date(2026, 6, 5))
    assert lines[record.id] == {"text": "须于 2026-06-08 前同步（剩余 2 个工作日）", "late": False}
    assert home.deadline_lines([record], date(2026, 6, 9))[record.id]["late"] is True
    db.session.rollback()
