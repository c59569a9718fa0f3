"""The results export carries one row per enterprise and department (谁抽查、谁录入、谁公示)."""
import io

from openpyxl import load_workbook

from tests.factories import review_plan
from tests.review.joint import JIAOTI, RENSHE, WEIJIAN, decide, joint_record


def _rows(client):
    response = client.get(f"/reports/plans/{review_plan().id}/results.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data))["检查结果"].iter_rows(values_only=True))
    col = {name: i for i, name in enumerate(rows[0])}
    return col, rows[1:]


def test_results_export_has_one_row_per_enterprise_and_department(world, client, auth):
    a = joint_record(failed=("jiaoti",), codes=("corrected",))
    b = joint_record(departments=("weijian",))
    auth.login("jt_review")
    decide(client, a, "approve")
    auth.logout()
    auth.login("office")
    col, body = _rows(client)
    rows = {(r[col["统一社会信用代码"]], r[col["检查部门"]]): r for r in body}
    assert set(rows) == {(a.entity.uscc, JIAOTI), (a.entity.uscc, RENSHE), (b.entity.uscc, WEIJIAN)}
    assert rows[(a.entity.uscc, JIAOTI)][col["检查结果"]] == "发现问题已责令改正"
    assert rows[(a.entity.uscc, RENSHE)][col["检查结果"]] == "未发现问题"
    assert rows[(a.entity.uscc, JIAOTI)][col["记录状态"]] == "已通过，待公示"
    assert rows[(a.entity.uscc, RENSHE)][col["记录状态"]] == "待审核"
    assert [r[col["序号"]] for r in body] == [1, 2, 3]
    auth.logout()
    auth.login("rs_admin")  # a department's export: its own rows only
    col, body = _rows(client)
    assert [(r[col["统一社会信用代码"]], r[col["检查部门"]]) for r in body] == [(a.entity.uscc, RENSHE)]
