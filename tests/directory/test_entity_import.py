"""Importing the object directory through the page and the command: preview, commit, re-import, bad rows."""
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.domain import uscc
from webapp.stages.directory.models import Entity, ImportBatch, ImportRow

from .helpers import csv_file, post, upload, xlsx

CODES = [uscc.complete(f"911306060000{i:05d}") for i in range(6)]
HEADER = ["统一社会信用代码", "企业名称", "法定代表人", "住所（经营场所）", "登记日期", "年报情况", "登记状态", "风险等级", "类别"]


def row(code, name="保定市莲池区启航艺术培训学校", risk="较高风险", registered="2019年3月5日"):
    return [code, name, "王伟", "河北省保定市莲池区裕华西路1号", registered, "2021、2022", "合格", risk, "校外培训机构"]


def bad_checksum(code):
    return code[:17] + ("0" if code[17] != "0" else "1")


def entity_count():
    return db.session.scalar(select(func.count()).select_from(Entity))


def test_xlsx_preview_writes_nothing_then_commit_then_reimport_changes_nothing(app, world, client, auth):
    auth.login("office")
    before = entity_count()
    data = xlsx(HEADER, [row(CODES[0]), row(CODES[1], risk="A"), [None] * 9, row(CODES[2], registered=43529)])
    response = upload(client, "entities", data)
    assert response.status_code == 302
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    assert batch.status == "preview" and batch.summary == {"create": 3, "update": 0, "unchanged": 0, "rejected": 0,
                                                           "blank": 1}
    assert entity_count() == before  # a dry run
    html = client.get(response.location).get_data(as_text=True)
    assert "导入预览" in html and "确认导入（新增 3，更新 0）" in html

    post(client, f"/directory/imports/{batch.id}/commit", page=response.location)
    assert entity_count() == before + 3
    made = db.session.scalar(select(Entity).where(Entity.uscc == CODES[2]))
    assert made.risk_level == "higher" and str(made.registered_on) == "2019-03-05"
    assert made.annual_report_years == "2021,2022" and made.address == "河北省保定市莲池区裕华西路1号"
    assert db.session.scalar(select(Entity.risk_level).where(Entity.uscc == CODES[1])) == "high"

    upload(client, "entities", data)
    again = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    assert again.summary["unchanged"] == 3 and again.summary["create"] == again.summary["update"] == 0
    post(client, f"/directory/imports/{again.id}/commit")
    assert entity_count() == before + 3
    # A committed batch cannot be committed twice.
    html = post(client, f"/directory/imports/{again.id}/commit", follow=True).get_data(as_text=True)
    assert "该批次不在预览状态" in html


def test_update_of_an_existing_entity_shows_the_change(app, world, client, auth):
    auth.login("office")
    existing = db.session.scalars(select(Entity).order_by(Entity.id)).first()
    old_level = existing.risk_level
    new_level = "低" if old_level != "low" else "高"
    upload(client, "entities", csv_file(HEADER, [row(existing.uscc, name=existing.name, risk=new_level)], "gbk"),
           "名录.csv")
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    assert batch.summary["update"] == 1
    planned = db.session.scalar(select(ImportRow).where(ImportRow.batch_id == batch.id))
    assert planned.changes["risk_level"][0] == old_level
    post(client, f"/directory/imports/{batch.id}/commit")
    db.session.expire_all()
    assert db.session.get(Entity, existing.id).risk_level != old_level


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_each_encoding_imports(app, world, client, auth, encoding):
    auth.login("office")
    upload(client, "entities", csv_file(HEADER, [row(CODES[0]), row(CODES[1])], encoding), "名录.csv")
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    assert batch.file_format == "CSV" and batch.summary["create"] == 2
    assert batch.encoding == {"utf-8": "UTF-8", "utf-8-sig": "UTF-8-BOM", "gbk": "GBK", "gb18030": "GBK"}[encoding]


def test_gbk_file_without_bom_and_unusual_headers_goes_through_the_mapping_step(app, world, client, auth):
    auth.login("office")
    header = ["代码", "机构全称", "等级", "备注"]
    data = csv_file(header, [[CODES[0], "保定市莲池区博学书法培训学校", "一般风险", "无"]], "gbk")
    assert not data.startswith(b"\xef\xbb\xbf")
    response = upload(client, "entities", data, "export.csv")
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    assert batch.status == "mapping" and response.location.endswith(f"/directory/imports/{batch.id}/mapping")
    html = client.get(response.location).get_data(as_text=True)
    assert "“代码”" in html and "未识别" in html
    response = post(client, response.location, {"col0": "uscc", "col1": "name", "col2": "risk_level", "col3": ""},
                    page=response.location)
    db.session.refresh(batch)
    assert batch.status == "preview" and batch.summary["create"] == 1
    post(client, f"/directory/imports/{batch.id}/commit")
    assert db.session.scalar(select(Entity.name).where(Entity.uscc == CODES[0])) == "保定市莲池区博学书法培训学校"


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.7\n%\xb5\xb5\xb5\xb5\n1 0 obj\n<< /Type /Catalog >>", "不是电子表格"),
    (bytes(range(256)) * 8, "不是电子表格"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是电子表格"),
])
def test_a_file_that_is_not_a_spreadsheet_is_refused_in_chinese(app, world, client, auth, data, message):
    auth.login("office")
    html = upload(client, "entities", data, "照片.xlsx", follow=True).get_data(as_text=True)
    assert message in html
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_bad_rows_are_rejected_with_reasons_and_can_be_downloaded_fixed_and_reimported(app, world, client, auth):
    auth.login("office")
    bad = bad_checksum(CODES[3])
    # A blank line inside the sheet is counted; trailing empty rows are outside the sheet's range (calamine).
    rows = [row(CODES[0]), row(CODES[1]), row(CODES[1]), row(bad), row(CODES[4], risk="特高"),
            ["", "", "", "", "", "", "", "", ""], row(CODES[5], registered="2023-02-30")]
    upload(client, "entities", xlsx(HEADER, rows))
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    assert batch.summary == {"create": 1, "update": 0, "unchanged": 0, "rejected": 5, "blank": 1}
    html = client.get(f"/directory/imports/{batch.id}").get_data(as_text=True)
    for reason in ("文件中重复：第 4 行", "校验位不正确", "风险等级无法识别：特高", "日期不存在：2023-02-30"):
        assert reason in html

    response = client.get(f"/directory/imports/{batch.id}/rejected.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0][:len(HEADER)] == HEADER and table[0][len(HEADER)] == "原因"
    assert [r[0] for r in table[1:]] == [CODES[1], CODES[1], bad, CODES[4], CODES[5]]
    assert "风险等级无法识别" in table[4][len(HEADER)]

    post(client, f"/directory/imports/{batch.id}/commit")  # the good row goes in despite the bad ones
    assert db.session.scalar(select(func.count()).select_from(Entity).where(Entity.uscc == CODES[0])) == 1

    # Fix the downloaded file (drop the duplicate, correct risk and date) and import it again.
    fixed = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = fixed.active
    sheet.delete_rows(3)
    sheet["H4"] = "较高"
    sheet["E5"] = "2023-02-28"
    out = io.BytesIO()
    fixed.save(out)
    upload(client, "entities", out.getvalue())
    second = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    assert second.summary["create"] == 3 and second.summary["rejected"] == 1  # the checksum still needs a person
    assert set(second.unknown_headers) == {"原因", "原行号"}


def test_checksum_override_on_the_page_is_recorded(app, world, client, auth):
    auth.login("office")
    bad = bad_checksum(CODES[0])
    upload(client, "entities", xlsx(HEADER, [row(bad)]))
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    page = f"/directory/imports/{batch.id}"
    html = post(client, f"{page}/override", {"line": "2"}, page=page, follow=True).get_data(as_text=True)
    assert "请勾选" in html
    post(client, f"{page}/override", {"line": "2", "confirm": "yes"}, page=page)
    db.session.refresh(batch)
    assert batch.summary["create"] == 1 and batch.summary["rejected"] == 0 and batch.overrides == [bad]
    post(client, f"{page}/commit")
    assert db.session.scalar(select(Entity.checksum_override).where(Entity.uscc == bad)) is True
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"entity.checksum_override", "entity.checksum_override.stored", "entities.import"} <= actions


def test_nothing_is_half_written_when_the_commit_fails(app, world, client, auth):
    auth.login("office")
    upload(client, "entities", xlsx(HEADER, [row(CODES[0]), row(CODES[1])]))
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    # Spoil the stored preview of the second row behind the app's back: the database refuses it.
    second = db.session.scalar(select(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.line == 3))
    second.data = dict(second.data, name=None, risk_level=None)
    db.session.commit()
    from webapp.stages.directory import importing

    with pytest.raises(Exception):
        importing.commit(batch)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Entity).where(Entity.uscc.in_(CODES[:2]))) == 0
    assert db.session.get(ImportBatch, batch.id).status == "preview"


def test_command_previews_then_commits_with_a_recorded_override(app, world, runner, tmp_path):
    bad = bad_checksum(CODES[1])
    path = tmp_path / "名录.csv"
    path.write_bytes(csv_file(HEADER, [row(CODES[0]), row(bad)], "gbk"))
    before = entity_count()
    result = runner.invoke(args=["import-entities", str(path)])
    assert result.exit_code == 0, result.output
    assert "CSV（GBK）" in result.output and "新增 1" in result.output and "拒绝 1" in result.output
    assert "校验位不正确" in result.output and entity_count() == before

    out = tmp_path / "rejected.xlsx"
    result = runner.invoke(args=["import-entities", str(path), "--commit", "--override-checksum", bad,
                                 "--rejected-out", str(out)])
    assert result.exit_code == 0, result.output
    assert "已导入：新增 2，更新 0" in result.output and not out.exists()
    assert db.session.scalar(select(Entity.checksum_override).where(Entity.uscc == bad)) is True
    result = runner.invoke(args=["import-entities", str(path), "--commit"])
    assert "无变化 2" in result.output and "已导入：新增 0，更新 0" in result.output


def test_command_refuses_a_file_that_is_not_a_spreadsheet(app, runner, tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"\x00\x01\x02garbage" * 50)
    result = runner.invoke(args=["import-entities", str(path)])
    assert result.exit_code == 2 and "不是电子表格" in result.output


def test_only_the_office_imports_the_object_directory(app, world, client, auth):
    auth.login("jt01")
    assert client.get("/directory/entities").status_code == 403
    assert client.get("/directory/imports/new/entities").status_code == 403
    auth.logout()
    auth.login("jt_admin")
    assert client.get("/directory/entities").status_code == 200
    assert client.get("/directory/imports/new/entities").status_code == 403
    assert upload(client, "inspectors", b"").status_code == 200


def test_office_home_lists_imports_waiting_for_confirmation(app, world, client, auth):
    auth.login("office")
    before = entity_count()
    assert "尚未确认的名录导入" not in client.get("/home").get_data(as_text=True)
    upload(client, "entities", xlsx(HEADER, [row(CODES[0])]), "待确认.xlsx")
    html = client.get("/home").get_data(as_text=True)
    assert "尚未确认的名录导入" in html and "检查对象名录 · 待确认.xlsx" in html
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    post(client, f"/directory/imports/{batch.id}/discard")
    assert db.session.get(ImportBatch, batch.id).status == "discarded" and entity_count() == before
    assert "尚未确认的名录导入" not in client.get("/home").get_data(as_text=True)
