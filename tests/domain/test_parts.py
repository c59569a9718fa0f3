"""The per-department rules (谁抽查、谁录入、谁公示): a record's status from its parts', the categories a part starts
with, which parts a 补充说明 re-opens."""
import pytest

from webapp.domain import review as rules
from webapp.domain.status import PartStatus as P
from webapp.domain.status import RecordStatus as R
from webapp.domain.status import overall


@pytest.mark.parametrize("parts, record", [
    ([P.SUBMITTED, P.APPROVED], R.SUBMITTED),
    ([P.RETURNED, P.APPROVED], R.RETURNED),
    ([P.RETURNED, P.SUBMITTED], R.RETURNED),
    ([P.APPROVED, P.APPROVED], R.APPROVED),
    ([P.APPROVED, P.PUBLISHED], R.APPROVED),
    ([P.PUBLISHED, P.PUBLISHED], R.PUBLISHED),
    ([P.PUBLISHED, P.WITHDRAWN], R.PUBLISHED),
    ([P.WITHDRAWN, P.WITHDRAWN], R.SUBMITTED),  # nothing public: back in review
])
def test_the_record_status_is_derived_from_its_parts(parts, record):
    assert overall(parts) == record


def _findings(failed):
    return {"departments": [{"department_id": d, "items": [{"points": [{"result": "fail" if d in failed else "pass"}]}]}
                            for d in (1, 2)]}


def test_a_part_starts_with_the_records_categories_or_no_problem_when_nothing_of_its_own_failed():
    assert rules.part_codes(_findings({1}), ["corrected"], 1) == ["corrected"]
    assert rules.part_codes(_findings({1}), ["corrected"], 2) == ["no_problem"]
    # A record-level problem (未按规定公示) is every department's.
    assert rules.part_codes(_findings({1}), ["corrected", "not_disclosed"], 2) == ["corrected", "not_disclosed"]
    signed = _findings(set())
    signed["departments"][1]["result_codes"] = ["no_activity"]
    assert rules.part_codes(signed, ["no_problem"], 2) == ["no_activity"]


def test_an_amendment_reopens_the_returned_parts_or_those_it_names():
    states = {1: P.APPROVED, 2: P.RETURNED, 3: P.SUBMITTED}
    assert rules.amend_parts(states, "补充") == [2]
    assert rules.amend_parts(states, "补充", [1, 2]) == [1, 2]
    with pytest.raises(rules.ReviewError, match="不是该检查表的检查部门"):
        rules.amend_parts(states, "补充", [9])
    with pytest.raises(rules.ReviewError, match="须先撤回公示"):
        rules.amend_parts({1: P.PUBLISHED, 2: P.RETURNED}, "补充", [1])
    with pytest.raises(rules.ReviewError, match="未被退回"):
        rules.amend_parts({1: P.APPROVED}, "补充")
    with pytest.raises(rules.ReviewError, match="不能为空"):
        rules.amend_parts(states, "  ")


def test_a_withdrawn_part_is_reviewed_again():
    assert rules.decide_part(P.WITHDRAWN, rules.APPROVE) == P.APPROVED
    with pytest.raises(rules.ReviewError):
        rules.decide_part(P.PUBLISHED, rules.APPROVE)
    with pytest.raises(rules.ReviewError, match="须选择处置方式"):
        rules.decide_part(P.SUBMITTED, rules.APPROVE, codes=["not_disclosed"])
