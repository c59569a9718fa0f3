"""Imports that read what offices really have (issue 14 §5, issue 12 §2): annual-report columns that carry their
year, status-only re-imports and what they do to plans not yet drawn, rows of another district (不属本辖区) kept
for its office (他辖区转来), and real legacy .xls (BIFF, written by xlwt) and .ods files."""
import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from tests import factories
from webapp.core.extensions import db
from webapp.domain import eligibility, imports, roles, tabular, uscc
from webapp.stages.accounts import jurisdictions
from webapp.stages.directory.models import Entity, ImportBatch
from webapp.stages.plans import eligibility as plan_eligibility

from .helpers import csv_file, ods, post, upload, xls, xlsx

HEADER = ["统一社会信用代码", "企业名称", "住所", "成立日期", "风险等级", "类别"]
YEARS = ["2022年度年报", "2021年报状态", "年报（2020）", "2019年度报告"]


def code(n: int, division: str = "130606") -> str:
    return uscc.complete(f"91{division}MC{n:07d}")  # (factories.entity writes MA…)


def cells(c, name="保定市莲池区启航艺术培训学校", address="河北省保定市莲池区裕华西路1号"):
    return [c, name, address, "2019-03-05", "一般", "校外培训机构"]


def last_batch() -> ImportBatch:
    return db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))


def entity_of(c) -> Entity | None:
    return db.session.scalar(select(Entity).where(Entity.uscc == c))


def planned(header, rows, stored=None):
    table = tabular.read_table(csv_file(header, rows))
    spec = imports.entity_spec()
    match = imports.match_headers(table.headers, spec)
    assert match.ok, match
    return list(imports.plan(table.rows, spec, match.colmap, lambda keys: {k: stored[k] for k in keys if k in (
        stored or {})}))


# --- 1. annual-report columns that carry their year --------------------------------------------------------------

@pytest.mark.parametrize("marks, years", [
    (["已年报", "未报", "√", "Y"], "2019,2020,2022"),
    (["是", "否", "×", "N"], "2022"),
    (["已报", "已年报", "", "未年报"], "2021,2022"),
])
def test_each_annual_report_column_is_read_as_the_year_its_header_names(marks, years):
    header = HEADER + YEARS
    match = imports.match_headers(header, imports.entity_spec())
    assert match.unknown == [] and {f: i for f, i in match.colmap.items() if f.startswith("_ar")} == {
        "_ar2022": 6, "_ar2021": 7, "_ar2020": 8, "_ar2019": 9}
    [row] = planned(header, [cells(code(1)) + marks])
    assert row.action == imports.CREATE and row.values["annual_report_years"] == years and row.notes == []


def test_year_columns_change_only_their_years_of_what_is_stored_and_can_clear_the_last():
    stored = {"uscc": code(1), "name": "保定市莲池区启航艺术培训学校", "annual_report_years": "2019,2020,2021",
              "checksum_override": False}
    [row] = planned(["统一社会信用代码", "2021年度年报", "2022年报状态"], [[code(1), "未年报", "已报"]],
                    {code(1): stored})
    assert row.action == imports.UPDATE
    assert row.changes == {"annual_report_years": ["2019,2020,2021", "2019,2020,2022"]}
    [row] = planned(["统一社会信用代码", "2022年度年报"], [[code(1), "否"]],
                    {code(1): dict(stored, annual_report_years="2022")})
    assert row.changes == {"annual_report_years": ["2022", ""]}


def test_an_unknown_mark_is_noted_on_its_row_and_the_rows_other_facts_still_import():
    [row] = planned(HEADER + ["2022年报状态", "2021年度年报"], [cells(code(1)) + ["待核实", "已年报"]])
    assert row.action == imports.CREATE and row.values["annual_report_years"] == "2021"
    assert row.values["name"] == "保定市莲池区启航艺术培训学校" and row.values["risk_level"] == "general"
    assert row.notes == ["2022 年度年报一列的值“待核实”无法识别（应为 已年报/未年报、已报/未报、是/否、√/×、Y/N），"
                         "该年度年报情况未导入，本行其他信息照常导入"]


def test_the_preview_says_which_year_each_column_was_read_as_and_the_commit_stores_it(app, client, auth):
    factories.account("office")
    db.session.commit()
    auth.login("office")
    data = xlsx(HEADER + ["2022年报状态", "年报（2021）"], [cells(code(1)) + ["已年报", "√"],
                                                          cells(code(2), "保定市莲池区博学培训学校") + ["待核实", "否"]])
    response = upload(client, "entities", data)
    batch = last_batch()
    assert batch.status == "preview" and batch.summary["create"] == 2 and batch.summary["rejected"] == 0
    html = client.get(response.location + "?action=all").get_data(as_text=True)
    assert "「2022年报状态」按 2022 年度年报读取" in html and "「年报（2021）」按 2021 年度年报读取" in html
    assert "1 行有未能读取的值" in html and "2022 年度年报一列的值“待核实”无法识别" in html
    post(client, f"/directory/imports/{batch.id}/commit", page=response.location)
    first, second = entity_of(code(1)), entity_of(code(2))
    assert first.annual_report_years == "2021,2022" and second.annual_report_years == ""
    assert second.name == "保定市莲池区博学培训学校" and second.risk_level == "general"
    rules = eligibility.Rules(annual_report_year=2022)
    assert eligibility.exclusion_reason(rules, first.facts()) is None
    assert eligibility.exclusion_reason(rules, second.facts()) == "2022年度未年报"


# --- 2. status-only re-imports -----------------------------------------------------------------------------------

def test_a_status_only_file_updates_statuses_alone_and_the_preview_counts_what_draft_plans_lose(app, client, auth):
    factories.account("office")
    ours = factories.entities(3)
    draft = factories.plan()
    drawn = factories.plan(doc_number="保莲双随机办[2026]9号")
    drawn.status = "drawn"  # its population is frozen in its draw: not counted
    db.session.commit()
    before = {e.uscc: (e.name, e.address, e.annual_report_years, e.risk_level) for e in ours}
    auth.login("office")
    data = csv_file(["统一社会信用代码", "登记状态"], [[ours[0].uscc, "注销"], [ours[1].uscc, "合格"],
                                                      [ours[2].uscc, "吊销"], [code(999), "注销"]])
    response = upload(client, "entities", data, "状态.csv")
    batch = last_batch()
    assert batch.summary == {"create": 0, "update": 2, "unchanged": 1, "rejected": 1, "blank": 0}
    html = client.get(response.location + "?action=all").get_data(as_text=True)
    assert "名录库中没有该统一社会信用代码（本文件只更新已有记录，不能新增）" in html
    assert "只更新名录库中已有的检查对象的登记状态" in html
    assert f"{ours[0].uscc}</span>：合格 → 注销" in html and f"{ours[2].uscc}</span>：合格 → 吊销" in html
    assert f"共 2 个检查对象因登记状态变化不再符合尚未抽取的方案的条件：{draft.doc_number} 2 个。" in html
    assert drawn.doc_number not in html

    post(client, f"/directory/imports/{batch.id}/commit", page=response.location)
    db.session.expire_all()
    assert [entity_of(e.uscc).status for e in ours] == ["注销", "合格", "吊销"]
    assert {e.uscc: (e.name, e.address, e.annual_report_years, e.risk_level) for e in ours} == before
    assert entity_of(code(999)) is None
    reasons = plan_eligibility.codes(draft.rules)
    assert [reasons[e.id] for e in ours] == [plan_eligibility.STATUS, None, plan_eligibility.STATUS]


# --- 3. 不属本辖区 ---------------------------------------------------------------------------------------------

def test_lianchis_import_leaves_jingxius_entities_untouched_and_keeps_their_rows_for_jingxiu(app, client, auth):
    jingxiu = jurisdictions.ensure_chain(jurisdictions.HEBEI, jurisdictions.BAODING, jurisdictions.JINGXIU)
    lianchi = jurisdictions.default()
    theirs = factories.entity(uscc=code(1, "130602"), name="保定市竞秀区未来培训学校", status="存续",
                              address="河北省保定市竞秀区东风路2号")
    ours = factories.entity(status="存续")
    factories.account("office")
    jx_office = factories.user("jx_office", (roles.OFFICE_ADMIN,), full_name="竞秀区双随机办")
    jx_office.jurisdiction = jingxiu
    db.session.commit()
    assert theirs.jurisdiction_id == jingxiu.id and ours.jurisdiction_id == lianchi.id
    auth.login("office")
    header = HEADER + ["登记状态", "登记机关"]
    data = xlsx(header, [
        cells(ours.uscc, "保定市莲池区新名称培训学校") + ["存续", ""],
        cells(theirs.uscc, "莲池区改写的名称") + ["注销", ""],
        cells(code(2, "130602"), "保定市竞秀区新开培训学校", "河北省保定市竞秀区朝阳大街3号") + ["存续", ""],
        cells(code(3), "迁入竞秀区的培训学校") + ["存续", "保定市竞秀区行政审批局"],
        cells(code(4), "保定市莲池区新开培训学校") + ["存续", "保定市莲池区行政审批局"],
        cells(code(5), "搬到竞秀区的培训学校", "河北省保定市竞秀区东风路8号") + ["存续", ""],  # by its address
    ])
    response = upload(client, "entities", data)
    batch = last_batch()
    assert batch.jurisdiction_id == lianchi.id
    assert batch.summary == {"create": 1, "update": 1, "unchanged": 0, "rejected": 4, "blank": 0}
    html = client.get(response.location).get_data(as_text=True)
    assert "4 行不属本辖区（属 竞秀区），不会写入" in html and html.count("不属本辖区（属 竞秀区）") >= 5
    rejected = openpyxl.load_workbook(io.BytesIO(client.get(f"/directory/imports/{batch.id}/rejected.xlsx").data))
    reasons = [row[-2] for row in rejected.active.iter_rows(min_row=2, values_only=True)]
    assert reasons == ["不属本辖区（属 竞秀区）"] * 4

    post(client, f"/directory/imports/{batch.id}/commit", page=response.location)
    db.session.expire_all()
    untouched = entity_of(theirs.uscc)
    assert (untouched.name, untouched.status) == ("保定市竞秀区未来培训学校", "存续")
    assert entity_of(ours.uscc).name == "保定市莲池区新名称培训学校"
    assert entity_of(code(2, "130602")) is None and entity_of(code(3)) is None and entity_of(code(5)) is None
    assert entity_of(code(4)).jurisdiction_id == lianchi.id
    auth.logout()

    auth.login("jx_office")
    page = client.get("/directory/imports/new/entities").get_data(as_text=True)
    assert "他辖区转来" in page and f"莲池区 · 批次 {batch.id} · 4 行" in page
    listed = client.get(f"/directory/imports/{batch.id}/forwarded").get_data(as_text=True)
    assert theirs.uscc in listed and code(3) in listed and ours.uscc not in listed
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/directory/imports/{batch.id}/forwarded.xlsx").data))
    assert sorted(r[0] for r in book.active.iter_rows(min_row=2, values_only=True)) == sorted(
        [theirs.uscc, code(2, "130602"), code(3), code(5)])
    assert client.get(f"/directory/imports/{batch.id}").status_code == 404  # the batch itself stays 莲池区's
    auth.logout()
    auth.login("office")
    assert client.get(f"/directory/imports/{batch.id}/forwarded").status_code == 404


# --- 4. real legacy .xls and .ods ----------------------------------------------------------------------------

@pytest.mark.parametrize("make, filename, fmt", [(xls, "名录.xls", "XLS"), (ods, "名录.ods", "ODS")])
def test_a_legacy_xls_and_an_ods_import_like_an_xlsx(app, client, auth, make, filename, fmt):
    factories.account("office")
    db.session.commit()
    auth.login("office")
    header = HEADER + ["2022年度年报", "联系电话"]
    rows = [[code(1), "保定市莲池区启航艺术培训学校", "河北省保定市莲池区裕华西路1号", date(2019, 3, 5), "较高风险",
             "校外培训机构", "已年报", 3125078771],
            [code(2), "保定市莲池区博学培训学校", "河北省保定市莲池区东关大街2号", "2020年1月2日", "低", "校外培训机构",
             "未年报", "0312-5078772"]]
    data = make(header, rows)
    assert data[:4] == (b"\xd0\xcf\x11\xe0" if fmt == "XLS" else b"PK\x03\x04")
    response = upload(client, "entities", data, filename)
    batch = last_batch()
    assert (batch.file_format, batch.status) == (fmt, "preview") and batch.summary["create"] == 2
    post(client, f"/directory/imports/{batch.id}/commit", page=response.location)
    first, second = entity_of(code(1)), entity_of(code(2))
    assert (first.registered_on, first.risk_level, first.annual_report_years) == (date(2019, 3, 5), "higher", "2022")
    assert (second.registered_on, second.risk_level, second.annual_report_years) == (date(2020, 1, 2), "low", "")
    assert first.phone == "3125078771" and second.phone == "0312-5078772"


def test_an_address_places_a_new_entity_only_when_it_names_one_jurisdiction(app):
    from webapp.stages.directory.placing import Placement

    jurisdictions.ensure("130000", "河北省", "province", None)
    for code_, name, level, parent in (("130100", "石家庄市", "city", "130000"), ("130105", "新华区", "district", "130100"),
                                       ("130900", "沧州市", "city", "130000"), ("130902", "新华区", "district", "130900")):
        jurisdictions.ensure(code_, name, level, parent)
    lianchi = jurisdictions.default()
    place = Placement(lianchi.id)
    cangzhou_xinhua = jurisdictions.by_code("130902").id
    assert place.named_in("河北省沧州市新华区解放路1号") == cangzhou_xinhua
    assert place.named_in("新华区解放路1号") is None  # two 新华区: the address alone does not say which
    assert place.named_in("保定市莲池区裕华西路1号") == lianchi.id
    values = {"uscc": code(1), "address": "新华区解放路1号"}
    assert place.reason(values, None) is None and values["_jurisdiction_id"] == lianchi.id  # by the USCC
    values = {"uscc": code(2), "address": "河北省沧州市新华区解放路1号"}
    assert place.reason(values, None) == "不属本辖区（属 沧州市新华区）"
    stored = {"_jurisdiction_id": lianchi.id}  # a stored entity stays where it is placed
    assert place.reason({"uscc": code(3), "address": "河北省沧州市新华区解放路1号"}, stored) is None
