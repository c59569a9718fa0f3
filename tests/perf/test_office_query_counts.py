"""Every office page at a small size takes the same number of SQL statements with more records behind it (issue
13 §3): an N+1 on a list comes back as a failing test here, not as a slow page at a province's size."""
import pytest

from tests import factories
from tests.factories import record_for_review, review_plan
from tests.perf.test_query_counts import _statements_for
from webapp.core.extensions import db

PAGES = ["/review/", "/publication/", "/followup/", "/directory/entities", "/directory/inspectors", "/plans",
         "/reports/dashboard?plan={plan}"]


def _more(n: int) -> None:
    for index in range(n):
        record_for_review(departments=("jiaoti", "renshe") if index % 2 else ("weijian",),
                          status=("submitted", "approved", "returned")[index % 3], photos=0)
    plan = review_plan()
    for target in factories.entities(n):
        factories.dispatched(plan, target, ("jt01", "rs01"))
    db.session.commit()


@pytest.mark.parametrize("page", PAGES)
def test_an_office_page_takes_the_same_statements_for_more_records(app, world, client, auth, page):
    record_for_review(departments=("jiaoti", "renshe"))
    auth.login("office")
    url = page.format(plan=review_plan().id)
    few = _statements_for(client, url)
    _more(6)
    many = _statements_for(client, url)
    assert many == few, (url, few, many)
