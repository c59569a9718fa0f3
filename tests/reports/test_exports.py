"""XLSX exports of a plan: results with the national result categories (one row per record), draw and teams."""
import io

from openpyxl import load_workbook

from tests.factories import record_for_review, review_plan
from webapp.core.extensions import db
from webapp.domain import results


def _book(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


def test_results_xlsx_has_one_row_per_record_with_national_categories(world, client, auth):
    a = record_for_review(departments=("jiaoti", "renshe"))
    b = record_for_review(departments=("jiaoti",), codes=("not_disclosed", "follow_up"), fail=True)
    c = record_for_review(departments=("weijian",), refused=True)
    record_for_review(departments=("jiaoti",), submitted=False, status="dispatched")  # not inspected yet: no result row
    auth.login("office")
    book = _book(client.get(f"/reports/plans/{review_plan().id}/results.xlsx"))
    ws = book["检查结果"]
    rows = list(ws.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 4  # one row per enterprise and department: the joint record a has two
    col = {name: i for i, name in enumerate(header)}
    assert sorted(row[col["统一社会信用代码"]] for row in body) == sorted(
        [a.entity.uscc, a.entity.uscc, b.entity.uscc, c.entity.uscc])
    by_uscc = {row[col["统一社会信用代码"]]: row for row in body if "人社局" in row[col["检查部门"]]
               or row[col["统一社会信用代码"]] != a.entity.uscc}
    assert set(by_uscc) == {a.entity.uscc, b.entity.uscc, c.entity.uscc}
    assert by_uscc[b.entity.uscc][col["检查结果"]] == "未按规定公示应当公示的信息；发现问题待后续处理"
    assert by_uscc[a.entity.uscc][col["检查结果"]] == "未发现问题"
    assert by_uscc[c.entity.uscc][col["拒绝签字"]] == "是"
    assert by_uscc[a.entity.uscc][col["抽查计划文号"]] == a.plan.doc_number
    assert "莲池区人社局" in by_uscc[a.entity.uscc][col["检查部门"]]
    assert by_uscc[a.entity.uscc][col["检查日期"]].date() == a.inspected_on
    assert dict(book["结果类别"].iter_rows(min_row=2, values_only=True)) == results.CATEGORIES


def test_department_export_holds_only_its_records(world, client, auth):
    record_for_review(departments=("jiaoti",))
    health = record_for_review(departments=("weijian",))
    auth.login("wj_admin")
    body = list(_book(client.get(f"/reports/plans/{review_plan().id}/results.xlsx"))["检查结果"].iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in body] == [health.entity.uscc]


def test_teams_xlsx_lists_the_draw_and_every_member(world, client, auth):
    a = record_for_review(departments=("jiaoti", "renshe"))
    record_for_review(departments=("weijian",), submitted=False, status="dispatched")
    auth.login("office")
    book = _book(client.get(f"/reports/plans/{review_plan().id}/teams.xlsx"))
    draw = list(book["抽取名单"].iter_rows(min_row=2, values_only=True))
    assert len(draw) == 2
    team = list(book["检查组"].iter_rows(min_row=2, values_only=True))
    assert len(team) == 3 + 1
    assert {row[4] for row in team if row[0] == a.entity.uscc} == {m.inspector.certificate_no for m in a.members}


def test_a_formula_in_a_name_stays_text(world, client, auth):
    record = record_for_review(departments=("jiaoti",))
    record.entity.name = '=HYPERLINK("http://evil.example","点我")'
    db.session.commit()
    auth.login("office")
    ws = _book(client.get(f"/reports/plans/{review_plan().id}/results.xlsx"))["检查结果"]
    cell = ws.cell(row=2, column=5)
    # Neutralised (domain/cells.py): a leading apostrophe, so no spreadsheet program ever evaluates it.
    assert cell.data_type == "s" and cell.value == "'" + record.entity.name


def test_inspectors_cannot_export(world, client, auth):
    auth.login("jt01")
    assert client.get(f"/reports/plans/{review_plan().id}/results.xlsx").status_code == 403
    assert client.get(f"/reports/plans/{review_plan().id}/teams.xlsx").status_code == 403
