"""The pure rules of 一公开 and 后续监管: jurisdiction, deadlines, labels."""
from datetime import date

from webapp.domain import publication
from webapp.domain.workdays import Calendar


def _findings(*depts):
    return {"departments": [
        {"department_id": d, "items": [{"plan_item_id": 1, "points": [{"result": r} for r in results]}]}
        for d, results in depts
    ]}


def test_no_follow_up_code_means_no_task():
    assert publication.follow_up_jurisdiction(["corrected", "not_disclosed"], _findings((2, ["fail"])), 1) == []


def test_follow_up_goes_to_each_department_whose_items_failed_in_findings_order():
    got = publication.follow_up_jurisdiction(
        ["follow_up"], _findings((3, ["pass", "fail"]), (1, ["pass"]), (2, ["na", "fail"])), 1)
    assert [j.department_id for j in got] == [3, 2]


def test_follow_up_without_failed_point_goes_to_lead_department():
    got = publication.follow_up_jurisdiction(["not_disclosed", "follow_up"], _findings((3, ["pass"])), 7)
    assert [j.department_id for j in got] == [7]
    assert "牵头部门" in got[0].reason


def test_missing_findings_fall_back_to_lead_department():
    assert [j.department_id for j in publication.follow_up_jurisdiction(["follow_up"], None, 5)] == [5]


def test_follow_up_deadline_counts_working_days_over_national_day():
    # Opened Thursday 2023-09-28; 中秋+国庆 off 09-29..10-06; Saturday 10-07 and Sunday 10-08 are 调休 workdays.
    deadline = publication.follow_up_deadline(Calendar(), date(2023, 9, 28), 3)
    assert deadline.due == date(2023, 10, 9) and not deadline.provisional


def test_publication_deadline_in_an_uncovered_year_is_provisional_not_a_crash():
    deadline = publication.publication_deadline(Calendar(), date(2031, 12, 20), 20)
    assert deadline.provisional and deadline.due > date(2031, 12, 31)


def test_result_labels_keep_the_national_order():
    assert publication.result_labels(["follow_up", "not_disclosed"]) == ["未按规定公示应当公示的信息", "发现问题待后续处理"]


def test_follow_up_state():
    assert publication.follow_up_state([]) is None
    assert publication.follow_up_state(["closed", "open"]) == "open"
    assert publication.follow_up_state(["closed", "closed"]) == "closed"
