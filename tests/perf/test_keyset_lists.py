"""The office lists that page by keyset (issue 13): walking each one's 下一页 links shows every row exactly once, in
the list's order, with the filter applied in SQL; a bad cursor is the first page."""
from sqlalchemy import select

from tests import factories
from tests.factories import record_for_review, review_plan
from tests.perf.test_keyset_followup import walk
from tests.perf.test_office_query_counts import _batch, _rows
from webapp.core import audit
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.domain.status import PartStatus
from webapp.faces.department.directory import batches
from webapp.faces.office import audit_log
from webapp.stages.directory.models import ImportRow
from webapp.stages.publication import publishing, queries
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import parts as review_parts
from webapp.stages.review import service
from webapp.stages.review.models import ReviewPart

RECORD = r'href="/review/records/(\d+)"'


def _records(n: int) -> list[InspectionRecord]:
    statuses = ("submitted", "returned", "approved", "submitted", "approved")
    made = [record_for_review(departments=("jiaoti",), status=statuses[i % 5], photos=0, late=i % 3 == 0,
                              codes=("corrected",) if i % 4 == 0 else ("no_problem",)) for i in range(n)]
    review_parts.parts_for(made)
    return made


def test_walking_the_review_queue_shows_each_record_of_the_filter_once(world, client, auth, monkeypatch):
    monkeypatch.setattr(service, "QUEUE_PAGE", 3)
    made = _records(11)
    auth.login("office")
    in_order = [r.id for r in sorted(made, key=lambda r: (r.submitted_at, r.id))]
    waiting = [i for i in in_order if db.session.get(InspectionRecord, i).status == "submitted"]
    assert walk(client, "/review/", RECORD) == waiting
    assert walk(client, "/review/?f=all", RECORD) == in_order
    assert walk(client, "/review/?f=late", RECORD) == [i for i in in_order if db.session.get(InspectionRecord, i).late]
    problems = [r.id for r in sorted(made, key=lambda r: (r.submitted_at, r.id)) if "corrected" in r.result_codes]
    assert walk(client, "/review/?f=problems", RECORD) == problems
    returned = [i for i in in_order if db.session.get(InspectionRecord, i).status == "returned"]
    assert walk(client, "/review/?f=returned", RECORD) == returned
    assert client.get("/review/?after=garbage").status_code == 200
    assert service.waiting_count(factories.get_user("office")) == len(waiting)


def test_the_queue_filters_a_reviewers_own_part(world, client, auth, monkeypatch):
    """A joint record approved by 教体局 and waiting for 人社局: waiting for the 人社局 reviewer, not for 教体局's."""
    monkeypatch.setattr(service, "QUEUE_PAGE", 2)
    record = record_for_review(departments=("jiaoti", "renshe"), photos=0)
    jiaoti = factories.department("jiaoti").id
    part = review_parts.part_of(record, jiaoti)
    part.status = PartStatus.APPROVED
    db.session.commit()
    for reviewer, expected in (("jt_review", []), ("rs_review", [record.id])):
        auth.login(reviewer)
        assert walk(client, "/review/", RECORD) == expected, reviewer
        auth.logout()


def test_walking_a_plans_publication_lists_shows_each_part_once(world, client, auth, monkeypatch):
    monkeypatch.setattr(queries, "PLAN_PAGE", 2)
    made = [r for r in _records(20) if r.status == "approved"]
    publishing.publish(made[:3], user=factories.get_user("office"))
    db.session.commit()
    plan = review_plan().id
    auth.login("office")
    parts = db.session.scalars(select(ReviewPart).where(ReviewPart.record_id.in_([r.id for r in made]))).all()
    approved = sorted(p.record_id for p in parts if p.status == PartStatus.APPROVED)
    published = sorted((p for p in parts if p.status == PartStatus.PUBLISHED), key=lambda p: -p.id)
    part = r'name="part" value="(\d+):\d+" form="bulk"'
    assert len(approved) > 2 and len(published) > 2  # more than a page each
    assert _walk_section(client, f"/publication/plans/{plan}", part, 0) == approved
    html = client.get(f"/publication/plans/{plan}").get_data(as_text=True)
    assert f"公示全部 {len(approved)} 项" in html
    withdraw = r'action="/publication/records/(\d+)/withdraw"'
    assert _walk_section(client, f"/publication/plans/{plan}", withdraw, 1) == [p.record_id for p in published]


def _walk_section(client, url: str, item: str, section: int) -> list[int]:
    """`walk` within one of the page's two lists (0: 待公示, 1: 已公示), by that list's own 下一页."""
    return walk(client, url, item, within=lambda html: html.split("<h2>已公示")[section])


def test_walking_an_import_batchs_rows_and_the_audit_page(world, client, auth, monkeypatch):
    monkeypatch.setattr(batches, "PER_PAGE", 4)
    monkeypatch.setattr(audit_log, "PER_PAGE", 4)
    _rows(10)
    office = factories.get_user("office")
    for i in range(7):
        audit.record("plan.create" if i % 2 else "review.approve", user=office, note=i)
    audit.record("review.return", user=office, reason="照片不清", late=False, records=[3, 4], code_x="a", kind="entities")
    db.session.commit()
    auth.login("office")
    batch = _batch()
    lines = [r.line for r in db.session.scalars(select(ImportRow).where(ImportRow.batch_id == batch.id)
                                                .order_by(ImportRow.line))]
    assert walk(client, f"/directory/imports/{batch.id}?action=all", r"第 (\d+) 行") == lines
    events = [e.id for e in db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == office.id)
                                               .order_by(AuditEvent.id.desc()))]
    assert walk(client, "/office/audit/", r'data-event="(\d+)"') == events
    reviews = [e.id for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.user_id == office.id, AuditEvent.action.like("review.%")).order_by(AuditEvent.id.desc()))]
    assert walk(client, "/office/audit/?kind=review", r'data-event="(\d+)"') == reviews
    assert client.get("/office/audit/?after=x&kind=nonsense").status_code == 200
    # the detail in the page's words, a key it does not name as written
    page = client.get("/office/audit/?kind=review").get_data(as_text=True)
    assert "code_x：a；类别：检查对象；逾期：否；原因：照片不清；检查记录：[3, 4]" in page
