"""The results export's 公示日期 is a day in Beijing: a record published at 04:00 Beijing time (20:00 UTC the day
before) must not show a 公示日期 a day before its 检查日期."""
import io
from datetime import date, datetime
from types import SimpleNamespace

from openpyxl import load_workbook

from webapp.faces.reports import exports


def test_publication_day_is_the_beijing_day():
    entity = SimpleNamespace(uscc="91130606MA0000000X", name="某培训学校", legal_rep="", address="", risk_level="general")
    record = SimpleNamespace(
        findings={}, entity=entity, members=[], inspected_on=date(2026, 12, 2), result_codes=["no_problem"],
        refused=False, status="published", status_label="已公示", late=False, findings_hash="",
        published_at=datetime(2026, 12, 1, 20, 30),  # naive UTC, as SQLite hands it back: 2026-12-02 04:30 in Beijing
    )
    plan = SimpleNamespace(doc_number="莲双随机〔2026〕1号", title="计划")
    sheet = load_workbook(io.BytesIO(exports.results_workbook(plan, [record], {})))["检查结果"]
    header, row = list(sheet.iter_rows(max_row=2, values_only=True))
    column = dict(zip(header, row, strict=True))
    assert column["检查日期"].date() == column["公示日期"].date() == date(2026, 12, 2)
    assert column["记录状态"] == "已公示"
