"""The dashboard: stage counts per plan and department, categories by risk level, deadlines, understaffed
teams, SVG charts, and inspectors' feedback (信息反馈)."""
import re
from datetime import date, timedelta
from xml.etree import ElementTree

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import record_for_review, review_plan
from webapp.core import clock
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.domain import dashboard as dash
from webapp.domain.charts import bar_chart, stacked_bars
from webapp.domain.workdays import Calendar
from webapp.stages.review.models import Feedback


def _stat(html_section: str, label: str) -> int:
    match = re.search(r"<strong>(\d+)</strong><span>" + label + "</span>", html_section)
    assert match, label
    return int(match.group(1))


def _sections(html: str) -> dict[str, str]:
    parts = re.split(r'<section class="card dash-section">', html)[1:]
    return {re.search(r"<h2>(.*?)</h2>", p).group(1): p for p in parts}


def test_office_dashboard_counts_each_stage_per_department(world, client, auth):
    record_for_review(departments=("jiaoti", "renshe"))
    record_for_review(departments=("jiaoti",), late=True, status="returned")
    record_for_review(departments=("jiaoti",), status="approved", codes=("corrected",), fail=True)
    record_for_review(departments=("weijian",), status="published")
    record_for_review(departments=("weijian",), submitted=False, status="dispatched")
    auth.login("office")
    html = client.get(f"/reports/dashboard?plan={review_plan().id}").get_data(as_text=True)
    sections = _sections(html)
    assert set(sections) == {"全部部门", "莲池区教育和体育局", "莲池区人社局", "莲池区卫健局"}
    everything = sections["全部部门"]
    assert [_stat(everything, label) for label in ("已派发", "已检查", "按时同步", "逾期同步", "已退回", "已通过", "已公示")] \
        == [5, 4, 3, 1, 1, 2, 1]
    jt = sections["莲池区教育和体育局"]
    assert _stat(jt, "已派发") == 3 and _stat(jt, "逾期同步") == 1
    assert _stat(sections["莲池区人社局"], "已派发") == 1
    assert everything.count("<svg") == 2
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        ElementTree.fromstring(svg)  # well-formed
    assert "发现问题已责令改正" in everything


def test_drawn_and_confirmed_come_from_the_draw(world, client, auth):
    from tests.factories import get_user
    from webapp.domain import draw as algo
    from webapp.stages.directory.models import Entity
    from webapp.stages.draw import ceremony as draws
    from webapp.stages.draw import confirmation
    from webapp.stages.records import dispatch

    plan = review_plan()
    office = get_user("office")
    drawn = draws.prepare(plan, algo.ENTITIES, office, "test")
    dispatch.execute(drawn, "测试见证", office, "test")
    db.session.flush()
    total = len(drawn.result["selected"])
    assert total > 1
    jiaoti = next(c for c in drawn.confirmations if c.department.code == "jiaoti")
    first = db.session.scalar(select(Entity).where(Entity.uscc == drawn.result["selected"][0][0]))
    confirmation.exclude(jiaoti, first, "not_ours", "不属本部门监管", get_user("jt_admin"))
    confirmation.confirm(jiaoti, get_user("jt_admin"))
    db.session.commit()
    auth.login("office")
    html = client.get(f"/reports/dashboard?plan={plan.id}").get_data(as_text=True)
    sections = _sections(html)
    assert _stat(sections["全部部门"], "已抽取") == total
    assert _stat(sections["全部部门"], "已确认") == 0  # two departments have not confirmed yet
    assert _stat(sections["莲池区教育和体育局"], "已确认") == total - 1
    assert _stat(sections["莲池区人社局"], "已确认") == 0
    assert "待比对确认" in html and "莲池区人社局、莲池区卫健局" in html


def test_department_dashboard_shows_only_its_department(world, client, auth):
    record_for_review(departments=("jiaoti",))
    record_for_review(departments=("weijian",))
    auth.login("wj_review")
    sections = _sections(client.get(f"/reports/dashboard?plan={review_plan().id}").get_data(as_text=True))
    assert set(sections) == {"莲池区卫健局"}
    assert _stat(sections["莲池区卫健局"], "已派发") == 1
    auth.logout()
    auth.login("jt01")
    assert client.get("/reports/dashboard").status_code == 403


def test_records_at_risk_and_understaffed_teams_are_listed(world, client, auth):
    plan = review_plan()
    plan.window_end = clock.today() + timedelta(days=2)
    db.session.commit()
    waiting = record_for_review(departments=("jiaoti", "renshe"), submitted=False, status="dispatched")
    alone = record_for_review(departments=("weijian",))  # one inspector only
    auth.login("office")
    html = _sections(client.get(f"/reports/dashboard?plan={review_plan().id}").get_data(as_text=True))["全部部门"]
    at_risk = html.split("临近或超过期限")[1].split("人员不足的检查组")[0]
    assert waiting.entity.name in at_risk and "检查期结束" in at_risk
    understaffed = html.split("人员不足的检查组")[1]
    assert alone.entity.name in understaffed and waiting.entity.name not in understaffed


def test_inspector_sends_feedback_and_it_shows_on_the_dashboard(world, client, auth):
    record_for_review(departments=("jiaoti",))
    auth.login("jt01")
    page = client.get("/reports/feedback").get_data(as_text=True)
    assert "工作亮点" in page
    token = csrf_token(client, "/reports/feedback")
    empty = client.post("/reports/feedback", data={"csrf_token": token, "plan_id": str(review_plan().id)})
    assert empty.status_code == 422 and "请至少填写一项" in empty.get_data(as_text=True)
    kept = client.post("/reports/feedback", data={"csrf_token": token, "plan_id": "999",
                                                  "lessons": "提前一天电话预约"})
    assert kept.status_code == 422 and "提前一天电话预约" in kept.get_data(as_text=True)  # nothing lost
    done = client.post("/reports/feedback", data={
        "csrf_token": token, "plan_id": str(review_plan().id), "highlights": "扫码入企节省了登记时间",
        "lessons": "提前一天电话预约", "problems": "部分机构地址变更未更新"}, follow_redirects=True)
    assert done.status_code == 200 and "信息反馈已提交" in done.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "feedback.submit")) is not None
    auth.logout()
    for who, sees in (("office", True), ("jt_admin", True), ("wj_review", False)):
        auth.login(who)
        html = client.get(f"/reports/dashboard?plan={review_plan().id}").get_data(as_text=True)
        assert ("扫码入企节省了登记时间" in html) is sees, who
        auth.logout()
    assert db.session.scalar(select(db.func.count()).select_from(Feedback)) == 1


def test_reviewers_cannot_post_feedback(world, client, auth):
    auth.login("jt_review")
    assert client.get("/reports/feedback").status_code == 403


# Pure rules


def test_deadline_risks_cover_entry_and_publication():
    cal = Calendar()
    today = date(2023, 8, 28)  # Monday
    window_end = date(2023, 8, 31)
    publication = dash.publication_deadline(cal, window_end, 20)
    facts = [
        dash.RecordFacts(1, "甲", "dispatched", "high"),
        dash.RecordFacts(2, "乙", "submitted", "low", submitted=True),
        dash.RecordFacts(3, "丙", "published", "low", submitted=True),
        dash.RecordFacts(4, "丁", "dispatched", "low", sync_due=date(2023, 8, 25)),
    ]
    risks = {a.record.id: a for a in dash.deadline_risks(facts, today, cal, window_end, publication)}
    assert set(risks) == {1, 4}
    assert risks[1].workdays_left == 3 and risks[1].kind == "entry"
    assert risks[4].workdays_left < 0
    late_day = publication.due
    risks = {a.record.id for a in dash.deadline_risks(facts, late_day, cal, window_end, publication)}
    assert 2 in risks and 3 not in risks


def test_publication_deadline_counts_working_days_over_national_day():
    deadline = dash.publication_deadline(Calendar(), date(2023, 9, 20), 10)
    assert deadline.due == date(2023, 10, 10) and not deadline.provisional  # 29 Sep–6 Oct off; 7–8 Oct (weekend) worked


def test_charts_escape_labels_and_scale_to_the_largest_value():
    svg = bar_chart("各环节<数量>", [("已派发", 10), ("已检查&", 5)])
    root = ElementTree.fromstring(svg)
    widths = [float(r.get("width")) for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert widths[0] == 2 * widths[1]
    assert 'viewBox="0 0 340' in svg
    ElementTree.fromstring(stacked_bars("类别", [("未发现问题", [1, 2, 0, 3])], ["高风险", "较高风险", "一般风险", "低风险"]))
