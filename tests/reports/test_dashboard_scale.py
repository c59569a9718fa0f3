"""The dashboard at a province's size (issue 13): its figures are counted in SQL, so a plan of many records takes
the same few statements as a plan of a few, and the lists of records at risk and of understaffed teams show only
their first records with the number of the others."""
from datetime import timedelta

from tests import factories
from tests.factories import record_for_review, review_plan
from tests.perf.test_query_counts import statements
from tests.reports.test_dashboard import _sections, _stat
from webapp.core import clock
from webapp.core.extensions import db
from webapp.stages.publication import board


def _page(client):
    url = f"/reports/dashboard?plan={review_plan().id}"
    client.get(url)  # warm: the session, the user, the templates, parts made for records from before parts
    with statements() as seen:
        response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True), len(seen)


def _more_records(n, team=("jt01", "rs01")):
    plan = review_plan()
    for target in factories.entities(n):
        factories.dispatched(plan, target, team)


def test_the_dashboard_takes_the_same_statements_for_more_records(world, client, auth):
    record_for_review(departments=("jiaoti", "renshe"))
    record_for_review(departments=("weijian",))
    auth.login("office")
    html, few = _page(client)
    assert _stat(_sections(html)["全部部门"], "已派发") == 2
    _more_records(30)
    html, many = _page(client)
    assert _stat(_sections(html)["全部部门"], "已派发") == 32
    assert many == few, (few, many)
    assert few <= 20


def test_the_counts_match_the_records_and_the_lists_show_their_first_records(world, client, auth, monkeypatch):
    monkeypatch.setattr(board, "LISTED", 3)
    plan = review_plan()
    plan.window_end = clock.today() + timedelta(days=2)  # every record not yet synced is near its deadline
    db.session.commit()
    approved = record_for_review(departments=("jiaoti", "renshe"))
    _more_records(5, team=("jt01",))                         # five teams of one: understaffed and at risk
    auth.login("office")
    html, _ = _page(client)
    sections = _sections(html)
    everyone, jiaoti = sections["全部部门"], next(v for k, v in sections.items() if "教" in k)
    assert _stat(everyone, "已派发") == 6 and _stat(everyone, "已检查") == 1
    assert _stat(jiaoti, "已派发") == 6
    assert "临近或超过期限（5）" in everyone and "另有 2 份未列出" in everyone
    assert "人员不足的检查组（5）" in everyone and "另有 2 组未列出" in everyone
    assert everyone.split("临近或超过期限")[1].split("人员不足的检查组")[0].count('<div class="row') == 3
    assert approved.entity.name not in everyone.split("人员不足的检查组")[1]
    renshe = next(v for k, v in sections.items() if "人" in k and "社" in k)
    assert _stat(renshe, "已派发") == 1 and "临近或超过期限（0）" in renshe
