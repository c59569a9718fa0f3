"""Reading spreadsheets and planning imports row by row: pure functions, real files made here."""
import pytest

from tests.directory.helpers import csv_file, xlsx
from webapp.domain import import_roster, imports, tabular, uscc

GOOD = [uscc.complete(f"521306060000000{i:02d}") for i in range(10)]
HEADER = ["统一社会信用代码", "机构名称", "法定代表人", "住所", "成立日期", "年报情况", "登记状态", "风险等级", "类别"]


def rows_for(*codes):
    return [[c, f"机构{i}", "张三", "莲池区裕华西路1号", "2020-01-02", "2021,2022", "合格", "一般", "校外培训机构"]
            for i, c in enumerate(codes)]


def csv_bytes(rows, encoding="utf-8", header=HEADER):
    return csv_file(header, rows, encoding)


def xlsx_bytes(rows, header=HEADER):
    return xlsx(header, rows)


def plan_all(data, lookup=lambda keys: {}, spec=None):
    table = tabular.read_table(data)
    spec = spec or imports.entity_spec()
    match = imports.match_headers(table.headers, spec)
    assert match.ok, match
    summary = imports.Summary()
    return list(imports.plan(table.rows, spec, match.colmap, lookup, summary)), summary, table


@pytest.mark.parametrize("encoding, label", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8-BOM"), ("gbk", "GBK"),
                                             ("gb18030", "GBK")])
def test_csv_encodings_are_detected(encoding, label):
    planned, summary, table = plan_all(csv_bytes(rows_for(GOOD[0]), encoding))
    assert (table.format, table.encoding) == ("CSV", label)
    assert table.headers == HEADER
    assert summary.counts == {"create": 1}
    assert planned[0].values["name"] == "机构0"


def test_gb18030_only_characters_are_read_as_gb18030():
    rows = rows_for(GOOD[0])
    rows[0][1] = "𠀀培训学校"  # outside GBK: only GB18030 encodes it
    planned, _, table = plan_all(csv_bytes(rows, "gb18030"))
    assert table.encoding == "GB18030"
    assert planned[0].values["name"] == "𠀀培训学校"


def test_xlsx_with_real_date_cells_and_serial_numbers():
    rows = rows_for(GOOD[0], GOOD[1])
    rows[0][4] = 43832  # Excel serial for 2020-01-02
    planned, _, table = plan_all(xlsx_bytes(rows))
    assert table.format == "XLSX"
    assert [p.values["registered_on"] for p in planned] == ["2020-01-02", "2020-01-02"]


@pytest.mark.parametrize("data, message", [
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "不是电子表格"),
    (bytes(range(256)) * 4, "不是电子表格"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel"),
    (b"PK\x03\x04 broken zip", "不是有效的 XLSX"),
    (b"", "文件是空的"),
    ("只是一段说明文字，没有表格。\n第二行".encode("utf-8"), "表头只有一列"),
])
def test_files_that_are_not_spreadsheets_are_refused_with_a_reason(data, message):
    with pytest.raises(tabular.NotASpreadsheet, match=message):
        tabular.read_table(data)


def test_each_kind_of_bad_row_is_rejected_and_the_good_ones_kept():
    bad_checksum = GOOD[2][:17] + ("0" if GOOD[2][17] != "0" else "1")
    rows = rows_for(GOOD[0], GOOD[1], GOOD[1], bad_checksum, GOOD[3], GOOD[4])
    rows[4][7] = "特高"  # unknown risk level
    rows[5][4] = "2023-02-30"  # impossible date
    rows.insert(2, ["", "", "", "", "", "", "", "", ""])  # an empty line
    planned, summary, _ = plan_all(csv_bytes(rows, "gbk"))
    by_line = {p.line: p for p in planned}
    assert by_line[2].action == "create"
    assert by_line[3].reason == "文件中重复：第 5 行也是同一统一社会信用代码"  # line 4 is the empty one
    assert by_line[5].reason == "文件中重复：第 3 行也是同一统一社会信用代码"
    assert "校验位不正确" in by_line[6].reason and by_line[6].overridable
    assert "风险等级无法识别：特高" in by_line[7].reason and not by_line[7].overridable
    assert "日期不存在：2023-02-30" in by_line[8].reason
    assert summary.blank == 1
    assert summary.as_dict() == {"create": 1, "update": 0, "unchanged": 0, "rejected": 5, "blank": 1}


def test_checksum_override_is_explicit():
    bad = GOOD[2][:17] + ("0" if GOOD[2][17] != "0" else "1")
    planned, _, _ = plan_all(csv_bytes(rows_for(bad)), spec=imports.entity_spec(overrides=[bad.lower()]))
    assert planned[0].action == "create" and planned[0].values["checksum_override"] is True


def test_existing_rows_are_unchanged_or_updated_and_blank_cells_keep_stored_values():
    stored = {
        GOOD[0]: {"uscc": GOOD[0], "name": "机构0", "legal_rep": "张三", "address": "莲池区裕华西路1号",
                  "registered_on": "2020-01-02", "annual_report_years": "2021,2022", "status": "合格",
                  "risk_level": "general", "category": "校外培训机构", "phone": "5078771", "checksum_override": False},
    }
    stored[GOOD[1]] = dict(stored[GOOD[0]], uscc=GOOD[1], name="旧名称")
    rows = rows_for(GOOD[0], GOOD[1])
    planned, summary, _ = plan_all(csv_bytes(rows), lookup=lambda keys: {k: stored[k] for k in keys if k in stored})
    assert [p.action for p in planned] == ["unchanged", "update"]
    assert planned[1].changes == {"name": ["旧名称", "机构1"]}


def test_unknown_headers_need_mapping_and_the_mapping_is_honoured():
    header = ["代码", "机构全称", "等级"]
    spec = imports.entity_spec()
    match = imports.match_headers(header, spec)
    assert set(match.missing) == {"uscc", "risk_level"} and match.unknown == ["代码", "等级"]
    match = imports.match_headers(header, spec, {"代码": "uscc", "等级": "risk_level"})
    assert match.ok and match.colmap == {"uscc": 0, "name": 1, "risk_level": 2}


def test_inspector_rows_stay_in_the_department_admins_department():
    spec = import_roster.inspector_spec({"莲池区卫健局": 3, "weijian": 3, "莲池区人社局": 2}, scope=3, scope_name="莲池区卫健局")
    header = ["执法证号", "姓名", "所属部门", "有效期至", "专业资质", "是否专家"]
    data = csv_bytes([["13060603 0001", "王芳", "莲池区卫健局", "2028/12/31", "卫生监督、公共卫生", "是"],
                      ["130606030002", "李强", "莲池区人社局", "2028-12-31", "", "否"],
                      ["130606030003", "赵敏", "", "2028-12-31", "", ""]], header=header)
    planned, summary, _ = plan_all(data, spec=spec)
    assert planned[0].values == {"certificate_no": "130606030001", "name": "王芳", "department_id": 3,
                                 "valid_to": "2028-12-31", "qualifications": ["卫生监督", "公共卫生"], "is_expert": True}
    assert planned[1].reason == "只能导入本部门（莲池区卫健局）的人员"
    assert planned[2].action == "create" and planned[2].values["department_id"] == 3
