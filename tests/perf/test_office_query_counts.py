"""Every office page at a small size takes the same number of SQL statements with more records behind it (issue
13 §3): an N+1 on a list comes back as a failing test here, not as a slow page at a province's size."""
import pytest
from sqlalchemy import func, select

from tests import factories
from tests.factories import record_for_review, review_plan
from tests.perf.test_query_counts import _statements_for
from webapp.core import audit
from webapp.core.extensions import db
from webapp.stages.accounts import jurisdictions
from webapp.stages.directory.models import ImportBatch, ImportRow

PAGES = ["/review/", "/review/?f=all", "/review/?f=problems", "/review/?f=returned", "/publication/",
         "/publication/plans/{plan}", "/followup/", "/followup/?status=all", "/directory/entities",
         "/directory/inspectors", "/plans", "/plans/{plan}/eligibility", "/directory/imports/{batch}?action=all",
         "/office/audit/", "/reports/dashboard?plan={plan}"]


def _batch() -> ImportBatch:
    """An import batch in preview (the office's directory import) for the imports list."""
    found = db.session.scalar(select(ImportBatch).where(ImportBatch.filename == "名录.csv"))
    if found is None:
        found = ImportBatch(kind="entities", filename="名录.csv", file_sha256="0" * 64, status="preview", summary={},
                            jurisdiction_id=jurisdictions.default().id, created_by=factories.get_user("office"))
        db.session.add(found)
        db.session.flush()
    return found


def _rows(n: int) -> None:
    batch = _batch()
    start = db.session.scalar(select(func.count()).select_from(ImportRow).where(ImportRow.batch_id == batch.id))
    db.session.add_all(ImportRow(batch_id=batch.id, line=start + i + 2, action="create", key=f"9113060600000{i:05d}",
                                 data={"name": f"第{start + i}号"}, raw=[f"第{start + i}号"]) for i in range(n))


def _more(n: int) -> None:
    _rows(n)
    office = factories.get_user("office")
    for index in range(n):
        audit.record("plan.create", user=office, note=index)
        record_for_review(departments=("jiaoti", "renshe") if index % 2 else ("weijian",),
                          status=("submitted", "approved", "returned")[index % 3], photos=0)
    plan = review_plan()
    for target in factories.entities(n):
        factories.dispatched(plan, target, ("jt01", "rs01"))
    db.session.commit()


@pytest.mark.parametrize("page", PAGES)
def test_an_office_page_takes_the_same_statements_for_more_records(app, world, client, auth, page):
    record_for_review(departments=("jiaoti", "renshe"))
    record_for_review(departments=("jiaoti",), status="returned", photos=0)  # every list has a row to start with
    _rows(1)
    db.session.commit()
    auth.login("office")
    url = page.format(plan=review_plan().id, batch=_batch().id)
    few = _statements_for(client, url)
    _more(6)
    many = _statements_for(client, url)
    assert many == few, (url, few, many)
