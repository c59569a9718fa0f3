"""Normalising a column at a time (domain.columns) gives exactly what each cell's parser gives: the values, and
for a bad cell its Chinese message, whatever else the column holds."""
from datetime import date, datetime

import pytest

from webapp.domain import columns, imports
from webapp.domain import normalise as n

TRICKY = [None, "", "  ", "保定市莲池区第1号培训学校", " 前后有空格 ", "中间\u3000全角空格", "两个  空格", "制表\t符", "换行\n了",
          "ＡＢＣ全角", "\u00a0不换行空格", "\ufeff带BOM", 5078771, 5078771.0, 3.5, True, 0, date(2020, 1, 2),
          datetime(2020, 1, 2, 8, 30), "9113 0606 0000 0000 0C", "９１１３０６０６００００００００１Ｆ", "x" * 201, "0312-5000000",
          "0312 5000000", "（0312）5000000转8", "电话", "123", "高", "较高风险", "A级", "中风险", "2021,2022", "2021、2022年",
          "无", "2023年6月1日", "2023/6/1", "20230601", "2023-02-30", "45000", "未年报", "已年报"]


def _parsers():
    spec = imports.entity_spec(())
    out = [(c.name, c.parse) for c in spec.columns]
    out.append(("year", imports._year_column("2023年度年报").parse))
    return out


@pytest.mark.parametrize("name,parse", _parsers())
@pytest.mark.parametrize("cells", [TRICKY, [c for c in TRICKY if isinstance(c, str) or c is None],
                                   ["保定市莲池区第1号培训学校", None, "河北省保定市"], ["0312-5000000", None, "13800000000"],
                                   ["91130606000000000C", "91130606000000001F", None]], ids=["all", "texts", "names",
                                                                                          "phones", "codes"])
def test_a_column_parses_as_its_cells_do(name, parse, cells):
    expected = []
    for cell in cells:
        try:
            expected.append((parse(cell), None))
        except ValueError as e:
            expected.append((None, str(e)))
    run = columns.column_parser(parse)
    for _ in range(2):  # the second time from the memo
        values, errors = run(list(cells))
        assert list(values) == [v for v, _ in expected]
        assert list(errors or [None] * len(cells)) == [e for _, e in expected]


def test_a_whole_file_plans_the_same_cell_by_cell_and_by_column():
    spec = imports.entity_spec(())
    headers = ["统一社会信用代码", "机构名称", "风险等级", "联系电话", "成立日期"]
    match = imports.match_headers(headers, spec)
    rows = [(i + 2, [f"911306060000000{i:02d}" if i % 7 else None, TRICKY[i % len(TRICKY)], "高" if i % 3 else "未知",
                     TRICKY[(i * 5) % len(TRICKY)], TRICKY[(i * 3) % len(TRICKY)]][: 3 + i % 3]) for i in range(3000)]
    planned = list(imports.plan(rows, spec, match.colmap, lambda keys: {}))
    for row in planned[::15]:
        cells = dict(rows)[row.line]
        one = next(imports.plan([(row.line, cells)], spec, match.colmap, lambda keys: {}))
        if not any(r.startswith("文件中重复") for r in row.reasons):
            assert (one.action, one.values, one.reasons) == (row.action, row.values, row.reasons)
    assert {r.action for r in planned} == {imports.CREATE, imports.REJECTED}
    assert n.clean_code("９１１３") == "9113"
