"""The command line (prepare, execute, abandon, manifest, verify-draw) and the working-day overrides."""
import json
from datetime import date

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import confirm_all, entity_draw, inspector_draw
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.stages.draw.models import Draw
from webapp.stages.plans.models import CalendarOverride
from webapp.stages.records.models import InspectionRecord


def test_cli_ceremony_and_verification(world, runner, tmp_path):
    out = runner.invoke(args=["draw", "prepare", "--plan", str(world.current.id)])
    assert out.exit_code == 0, out.output
    draw_id, commitment = out.stdout.strip().split("\t")
    d = db.session.get(Draw, int(draw_id))
    assert d.commitment == commitment
    assert runner.invoke(args=["draw", "manifest", draw_id]).exit_code == 1  # not executed yet
    out = runner.invoke(args=["draw", "execute", draw_id, "--witness", "07 19 23"])
    assert out.exit_code == 0 and "种子" in out.output
    assert runner.invoke(args=["draw", "execute", draw_id]).exit_code == 1
    out = runner.invoke(args=["draw", "manifest", draw_id])
    manifest = json.loads(out.stdout)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    out = runner.invoke(args=["verify-draw", str(path)])
    assert out.exit_code == 0 and "验证通过" in out.output and "✔ 一致  随机种子" in out.output

    manifest["seed"] = ("0" if manifest["seed"][0] != "0" else "1") + manifest["seed"][1:]
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    out = runner.invoke(args=["verify-draw", str(path)])
    assert out.exit_code == 1 and "✘ 不一致  随机种子" in out.output

    path.write_text("not json", encoding="utf-8")
    out = runner.invoke(args=["verify-draw", str(path)])
    assert out.exit_code == 1 and "不是 UTF-8 编码的 JSON" in out.output


def test_cli_abandon_needs_a_reason_and_refuses_executed(world, runner):
    draw_id = runner.invoke(args=["draw", "prepare", "--plan", str(world.current.id)]).stdout.split("\t")[0]
    assert runner.invoke(args=["draw", "abandon", draw_id]).exit_code == 2  # --reason is required
    out = runner.invoke(args=["draw", "abandon", draw_id, "--reason", "短"])
    assert out.exit_code == 1 and "理由" in out.output
    out = runner.invoke(args=["draw", "abandon", draw_id, "--reason", "见证人缺席，改期"])
    assert out.exit_code == 0
    second = runner.invoke(args=["draw", "prepare", "--plan", str(world.current.id)]).stdout.split("\t")[0]
    runner.invoke(args=["draw", "execute", second])
    out = runner.invoke(args=["draw", "abandon", second, "--reason", "想要重新抽取"])
    assert out.exit_code == 1 and "不能作废" in out.output
    out = runner.invoke(args=["draw", "prepare", "--plan", str(world.current.id)])
    assert out.exit_code == 1 and "不能重抽" in out.output


def test_cli_inspector_draw(world, runner, tmp_path):
    p = world.current
    confirm_all(entity_draw(p))
    out = runner.invoke(args=["draw", "prepare", "--plan", str(world.current.id), "--kind", "inspectors"])
    draw_id = out.stdout.split("\t")[0]
    assert runner.invoke(args=["draw", "execute", draw_id, "--witness", "甲乙丙"]).exit_code == 0
    path = tmp_path / "i.json"
    path.write_text(runner.invoke(args=["draw", "manifest", draw_id]).stdout, encoding="utf-8")
    out = runner.invoke(args=["verify-draw", str(path)])
    assert out.exit_code == 0 and "检查组" in out.output


def test_new_year_record_deadline_is_provisional_and_recomputed_on_override(world, client, auth):
    p = world.current
    confirm_all(entity_draw(p))
    inspector_draw(p)
    record = db.session.scalar(select(InspectionRecord))
    record.inspected_on = date(2026, 12, 28)
    record.sync_due, record.due_provisional = None, False
    closed = db.session.scalars(select(InspectionRecord).where(InspectionRecord.id != record.id)).first()
    closed.inspected_on, closed.status, closed.sync_due = date(2026, 12, 28), "approved", date(2027, 1, 1)
    db.session.commit()
    auth.login("office")
    page = "/draw/calendar"
    # 元旦 2027 is a fixed holiday; 2027 is beyond chinese-calendar, so Monday–Friday is a provisional guess.
    html = client.post(page, data={"csrf_token": csrf_token(client, page), "day": "2027-01-04", "is_workday": "0",
                                   "note": "元旦调休（测试）"}, follow_redirects=True).get_data(as_text=True)
    assert "已将 2027-01-04 设为休息日" in html
    db.session.refresh(record)
    # 29, 30, 31 Dec; 1 Jan holiday; 4 Jan off by override; 5, 6 Jan.
    assert (record.sync_due, record.due_provisional) == (date(2027, 1, 6), True)
    assert f"{record.entity.name} · 录入期限 2027-01-06 <span class=\"badge warn\">暂定</span>" in html
    db.session.refresh(closed)
    assert closed.sync_due == date(2027, 1, 1)  # approved: not an open record, left alone
    html = client.post(f"{page}/2027-01-04/delete", data={"csrf_token": csrf_token(client, page)},
                       follow_redirects=True).get_data(as_text=True)
    db.session.refresh(record)
    assert record.sync_due == date(2027, 1, 5)
    assert db.session.get(CalendarOverride, date(2027, 1, 4)) is None
    actions = {a for (a,) in db.session.execute(select(AuditEvent.action))}
    assert {"calendar.override", "calendar.override_delete", "calendar.recompute"} <= actions


def test_calendar_rejects_a_bad_date_and_other_roles(world, client, auth):
    auth.login("office")
    for day, message in (("明天", "日期格式不正确（应为 YYYY-MM-DD）"),
                         ("9999-12-31", "日期超出有效范围（2000-01-01 至 2099-12-31）")):
        html = client.post("/draw/calendar", data={"csrf_token": csrf_token(client, "/draw/calendar"), "day": day,
                                                   "is_workday": "0"}, follow_redirects=True).get_data(as_text=True)
        assert message in html, day
    assert db.session.scalar(select(CalendarOverride)) is None
    auth.logout()
    auth.login("jt_admin")
    assert client.get("/draw/calendar").status_code == 403
