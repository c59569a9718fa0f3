"""Workbooks are read with python-calamine: XLSX as Excel and WPS write them (shared strings, styles), ODS, and a
refusal in Chinese for a broken legacy .xls; cells come back as openpyxl gave them."""
import datetime
import io

import openpyxl
import pytest

from webapp.domain import tabular

from .helpers import ods


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()  # not write_only: Excel-like shared strings and styles
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ods(rows) -> bytes:
    return ods(rows[0], rows[1:])


ROWS = [
    ["统一社会信用代码", "名称", "成立日期", "电话"],
    [None, None, None, None],
    ["52130606MJ0000000X", "启航培训学校", datetime.date(2020, 1, 2), 5078771],
]


def test_xlsx_is_read_with_blank_cells_as_none_and_whole_numbers_as_ints():
    table = tabular.read_table(_xlsx(ROWS))
    assert (table.format, table.header_line, table.headers) == ("XLSX", 1, ROWS[0])
    rows = list(table.rows)
    assert rows[0] == (2, [None, None, None, None])
    line, cells = rows[1]
    assert line == 3 and cells[:2] == ROWS[2][:2] and cells[3] == 5078771 and isinstance(cells[3], int)
    assert cells[2] == datetime.date(2020, 1, 2) or cells[2] == datetime.datetime(2020, 1, 2)


def test_ods_is_read_by_its_content():
    table = tabular.read_table(_ods(ROWS))
    assert table.format == "ODS" and table.headers == ROWS[0]
    cells = [c for _, c in table.rows][-1]
    assert cells[1] == "启航培训学校" and cells[3] == 5078771


@pytest.mark.parametrize("data, message", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "不是有效的旧版 Excel（.xls"),
    (b"PK\x03\x04" + b"\x00" * 200, "不是有效的 XLSX"),
])
def test_a_broken_workbook_is_refused_in_chinese(data, message):
    with pytest.raises(tabular.NotASpreadsheet, match=message):
        tabular.read_table(data)


@pytest.mark.parametrize("make", [_xlsx, _ods, lambda rows: "\n".join(
    ",".join("" if c is None else str(c) for c in row) for row in rows).encode()])
def test_the_rows_after_the_header_read_the_same_each_time_they_are_iterated(make):
    """An import plans in two passes over the file (imports.plan), not holding every row's cells meanwhile."""
    table = tabular.read_table(make(ROWS))
    first = list(table.rows)
    assert first == list(table.rows) and [line for line, _ in first][-1] == table.header_line + 2
    table.rows.close()
    assert list(table.rows) == []
