"""A department counts the records of its checklist, not of its team (谁抽查、谁录入、谁公示): a joint record whose
findings hold a department nobody of which is on the team (the demo's records: three parts, a two-department team)
shows that department's part waiting on the publication page (各部门待办), in what it holds back (暂不能公示),
on the review queue and on the dashboard, and each figure is the number of the parts the lists show."""
import re

from sqlalchemy import func, select

from tests.factories import department, record_for_review
from tests.review.joint import JIAOTI, RENSHE, decide_as
from webapp.core.extensions import db
from webapp.stages.review.models import ReviewPart


def _rows(html: str, start: str) -> dict[str, list[int]]:
    """The per-department table after `start`: department name → its figures."""
    table = html[html.index(start):]
    table = table[:table.index("</table>")]
    out = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        out[cells[0]] = [int(c) for c in cells[1:]]
    return out


def _parts(status: str) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(ReviewPart.department_id, func.count()).where(ReviewPart.status == status)
                              .group_by(ReviewPart.department_id))
    names = {department(code).id: name for code, name in (("jiaoti", JIAOTI), ("renshe", RENSHE))}
    return {names[d]: n for d, n in rows}


def test_a_department_on_the_checklist_but_not_on_the_team_counts_its_part(world, client, auth):
    record = record_for_review(departments=("jiaoti", "renshe"), members={"renshe": []})
    assert {m.department.code for m in record.members} == {"jiaoti"}
    assert len(record.findings["departments"]) == 2  # the checklist: both departments' items
    plan_id = record.plan_id

    auth.login("office")  # nothing has read the record for review yet: it has no parts
    figures = _rows(client.get("/publication/").get_data(as_text=True), "<table")
    assert figures == {JIAOTI: [1, 0, 0, 0], RENSHE: [1, 0, 0, 0]}  # 待审核, 待公示, 已公示, 已撤回
    dashboard = client.get(f"/reports/dashboard?plan={plan_id}").get_data(as_text=True)
    assert _rows(dashboard, "各部门待办") == {JIAOTI: [1, 0, 0, 0], RENSHE: [1, 0, 0, 0]}
    assert f"<h2>{RENSHE}</h2>" in dashboard  # its own section of the dashboard
    queue = client.get("/review/").get_data(as_text=True)
    assert _rows(queue, 'id="per-department"')[RENSHE] == [1, 0, 0, 0]
    auth.logout()

    assert decide_as(auth, client, "jt_review", record, "approve").status_code in (200, 302)
    auth.login("office")
    figures = _rows(client.get("/publication/").get_data(as_text=True), "<table")
    assert figures == {JIAOTI: [0, 1, 0, 0], RENSHE: [1, 0, 0, 0]}
    assert {name: f[0] for name, f in figures.items() if f[0]} == _parts("submitted")
    assert {name: f[1] for name, f in figures.items() if f[1]} == _parts("approved")
    page = client.get(f"/publication/plans/{plan_id}").get_data(as_text=True)
    held = page[page.index('id="held"'):]
    assert f"<li>{RENSHE}：1 项</li>" in held[:held.index("</section>")]  # 暂不能公示: its part waits for it
    assert re.findall(r'class="row office-row" data-department="(\w+)"', page) == ["jiaoti"]  # the approved list: one row
    dashboard = client.get(f"/reports/dashboard?plan={plan_id}").get_data(as_text=True)
    assert _rows(dashboard, "各部门待办") == {JIAOTI: [0, 0, 1, 0], RENSHE: [1, 0, 0, 0]}
    auth.logout()

    assert decide_as(auth, client, "rs_review", record, "approve").status_code in (200, 302)
    auth.login("office")
    figures = _rows(client.get("/publication/").get_data(as_text=True), "<table")
    assert figures == {JIAOTI: [0, 1, 0, 0], RENSHE: [0, 1, 0, 0]}
    page = client.get(f"/publication/plans/{plan_id}").get_data(as_text=True)
    assert 'id="held"' not in page
    assert sorted(re.findall(r'class="row office-row" data-department="(\w+)"', page)) == ["jiaoti", "renshe"]
