"""The dashboard's counts, kept by every commit (webapp.stages.publication.dashboard_counts), equal a count by hand
of the plan's records after each step of the regime through its real code paths: the draw's dispatch, the
phone's submission, review's approval and return, publication, withdrawal, a new risk level."""
import json
import re
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select, update

from tests.conftest import csrf_token
from tests.factories import confirm_all, department, entity_draw, get_user, inspector_draw, review_plan
from tests.field_api.conftest import Phone, signature_png, submission
from tests.field_api.conftest import sha as digest
from tests.perf.test_query_counts import statements
from tests.review.joint import decide_as, publish
from webapp.core import periodic
from webapp.core.extensions import db
from webapp.domain.review import part_departments
from webapp.domain.status import PART_DONE, RecordStatus
from webapp.stages.directory.models import Entity
from webapp.stages.publication import dashboard_counts, dashboard_reads
from webapp.stages.publication.dashboard_counts import DashboardCount, DashboardStale
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review.models import ReviewPart


def _by_hand(plan_id: int) -> Counter:
    """(section, facts) → records, from the records, their teams, parts and enterprises: a department's section
    counts the records of its parts (the checklist's), a record without parts by those it will get."""
    db.session.expire_all()
    out = Counter()
    for r in db.session.scalars(select(InspectionRecord).where(InspectionRecord.plan_id == plan_id)):
        parts = {p.department_id: p.status for p in db.session.scalars(
            select(ReviewPart).where(ReviewPart.record_id == r.id))}
        size = len(r.members)
        complete = all(s in PART_DONE for s in parts.values()) if parts else r.status == RecordStatus.PUBLISHED
        common = [r.entity.risk_level, r.submitted_at is not None, r.late,
                  r.sync_due.isoformat() if r.sync_due else None, sorted(r.result_codes or []), size,
                  r.understaffed, complete]
        out[(0, json.dumps([r.status, None, *common], ensure_ascii=False))] += 1
        sections = parts or part_departments(r.findings, [m.department_id for m in r.members])
        for d in set(sections):
            part = parts.get(d) or (r.status if r.status != RecordStatus.DISPATCHED else None)
            out[(d, json.dumps([r.status, part, *common], ensure_ascii=False))] += 1
    return out


def _kept(plan_id: int) -> Counter:
    """The counts as a reader gets them: the marked records (a phone's submission) settled first."""
    dashboard_reads.settle([plan_id])
    rows = db.session.execute(select(DashboardCount.section, DashboardCount.key, DashboardCount.n)
                              .where(DashboardCount.plan_id == plan_id, DashboardCount.n != 0))
    return Counter({(section, key): n for section, key, n in rows})


def _same(plan_id):
    assert _kept(plan_id) == _by_hand(plan_id)


def test_the_counts_follow_every_step_through_the_real_code_paths(world, client, auth):
    plan = review_plan()
    confirm_all(entity_draw(plan))
    inspector_draw(plan)  # the records and their teams, by COPY on PostgreSQL
    _same(plan.id)
    assert sum(n for (section, _), n in _kept(plan.id).items() if section == 0) == db.session.scalar(
        select(func.count()).select_from(InspectionRecord).where(InspectionRecord.plan_id == plan.id)) > 0

    record = db.session.scalars(select(InspectionRecord).join(InspectionRecord.members)
                                .where(InspectionRecord.plan_id == plan.id,
                                       InspectionRecord.members.any(inspector_id=get_user("jt01").profile.id))
                                .order_by(InspectionRecord.id)).first()
    phone = Phone(client, auth).login("jt01")
    signature = signature_png()
    assert phone.upload(record.id, signature, kind="signature", filename="signature.png").status_code == 201
    answer = phone.put(submission(record, signature=digest(signature)))
    assert answer.status_code == 201, answer.get_json()
    phone.logout()
    _same(plan.id)

    auth.login("office")
    assert client.get(f"/review/records/{record.id}").status_code == 200  # review reads it: its parts are made
    auth.logout()
    _same(plan.id)
    codes = {m.department.code for m in record.members}
    first, *others = sorted(codes)
    reviewer = {"jiaoti": "jt_review", "renshe": "rs_review", "weijian": "wj_review"}
    decide_as(auth, client, reviewer[first], record, "approve")
    _same(plan.id)
    for code in others:
        decide_as(auth, client, reviewer[code], record, "return", "请补充现场照片。")
    _same(plan.id)

    auth.login("office")
    publish(client, record, first)
    _same(plan.id)
    page = f"/publication/plans/{plan.id}"
    client.post(f"/publication/records/{record.id}/withdraw", data={
        "csrf_token": csrf_token(client, page), "reason": "结果类别录入有误。",
        "department_id": str(department(first).id)})
    _same(plan.id)
    auth.logout()

    record.entity.risk_level = "high" if record.entity.risk_level != "high" else "low"  # the directory re-rates
    db.session.commit()
    _same(plan.id)


def _dashboard(seen) -> list[str]:
    """The statements of the counts' upkeep among `seen`: their tables, the records' lock, the bulk look-up."""
    return [s for s in seen if "dashboard_" in s or "FOR UPDATE" in s
            or s.lstrip().startswith("SELECT inspection_records.id \nFROM")]


def test_a_write_that_changes_no_counted_fact_costs_no_statement(world, client, auth):
    """An upload adds to the record but changes none of its counted facts, a replayed PUT changes nothing, a
    column the dashboard does not count is written by object or by ORM bulk UPDATE: no statement of the counts.
    The submission itself marks its record in one (the claim has named it: no look-up; the counts are moved by the
    next settle), and the settle moves them in four (take, facts out, facts in, counts moved) and drops the mark."""
    plan = review_plan()
    confirm_all(entity_draw(plan))
    inspector_draw(plan)
    record = db.session.scalars(select(InspectionRecord).where(
        InspectionRecord.plan_id == plan.id, InspectionRecord.members.any(inspector_id=get_user("jt01").profile.id))
        .order_by(InspectionRecord.id)).first()
    phone = Phone(client, auth).login("jt01")
    signature = signature_png(7)
    with statements() as seen:
        assert phone.upload(record.id, signature, kind="signature", filename="signature.png").status_code == 201
        assert phone.upload(record.id, signature, kind="signature", filename="signature.png").status_code == 200
    assert _dashboard(seen) == []
    body, client_uuid = submission(record, signature=digest(signature)), str(uuid.uuid4())
    with statements() as seen:
        assert phone.put(body, client_uuid).status_code == 201
    assert len(_dashboard(seen)) == 1 and "dashboard_stale" in _dashboard(seen)[0], _dashboard(seen)
    assert db.session.scalars(select(DashboardStale.record_id)).all() == [record.id]
    with statements() as seen:
        assert dashboard_reads.settle([plan.id]) == 1
    assert len(_dashboard(seen)) == 5, _dashboard(seen)  # the marked records taken (locked), then as before
    assert db.session.scalars(select(DashboardStale.record_id)).all() == []
    _same(plan.id)
    with statements() as seen:
        assert phone.put(body, client_uuid).status_code == 200
    assert _dashboard(seen) == []
    phone.logout()

    with statements() as seen:
        record = db.session.get(InspectionRecord, record.id)
        record.checkin_accuracy = 3.5
        db.session.commit()
        db.session.execute(update(InspectionRecord).where(InspectionRecord.plan_id == plan.id)
                           .values(due_provisional=True))
        db.session.commit()
    assert _dashboard(seen) == []
    _same(plan.id)


def test_a_bulk_re_rating_moves_the_counts_of_the_enterprises_records(world, client, auth):
    plan = review_plan()
    confirm_all(entity_draw(plan))
    inspector_draw(plan)
    record = db.session.scalars(select(InspectionRecord).where(InspectionRecord.plan_id == plan.id)
                                .order_by(InspectionRecord.id)).first()
    rating = "high" if record.entity.risk_level != "high" else "low"
    db.session.execute(update(Entity).where(Entity.id == record.entity_id).values(risk_level=rating))
    db.session.commit()
    _same(plan.id)


def test_the_refresh_statements_stay_within_what_psycopg_keeps_parsed(app):
    """psycopg parses a statement once and keeps it only up to MAX_CACHED_STATEMENT_LENGTH bytes (4,096); past
    that it parses it again at every execution, and the refresh runs at every record PUT's commit (its insert was
    5,238 bytes, the select written out for each branch of a union: 0.100 ms of psycopg's parsing per execution
    against 0.009 ms once kept)."""
    from psycopg import _queries
    from sqlalchemy.dialects.postgresql import psycopg


    for name, statement in dashboard_counts._statements("postgresql").items():
        compiled = statement.compile(dialect=psycopg.dialect())
        sql = compiled.construct_expanded_state({"ids": [1]}).statement if name not in ("upsert", "mark") \
            else str(compiled)
        assert len(sql.encode()) <= _queries.MAX_CACHED_STATEMENT_LENGTH, (name, len(sql.encode()))


def _submitted(client, auth, plan, login="jt01", seed=11):
    """A record of the plan submitted by the phone of `login`: its commit marks it (dashboard_stale)."""
    record = db.session.scalars(select(InspectionRecord).where(
        InspectionRecord.plan_id == plan.id, InspectionRecord.status == RecordStatus.DISPATCHED,
        InspectionRecord.members.any(inspector_id=get_user(login).profile.id))
        .order_by(InspectionRecord.id)).first()
    phone = Phone(client, auth).login(login)
    signature = signature_png(seed)
    assert phone.upload(record.id, signature, kind="signature", filename="signature.png").status_code == 201
    assert phone.put(submission(record, signature=digest(signature))).status_code == 201
    phone.logout()
    return record


def _marked() -> list[int]:
    db.session.rollback()  # a fresh look, past this session's snapshot
    return db.session.scalars(select(DashboardStale.record_id)).all()


def test_the_dashboard_page_counts_a_submission_its_commit_only_marked(world, client, auth):
    """The reader settles before it reads: the office's dashboard, opened right after a phone's PUT (no sweep has
    run, no other page read the counts: the sign-in is not followed to the home page) counts the record as
    checked; on PostgreSQL the settle's own transaction has committed, the mark is gone."""
    plan = review_plan()
    confirm_all(entity_draw(plan))
    inspector_draw(plan)
    auth.login("office", follow=False)
    before = client.get(f"/reports/dashboard?plan={plan.id}").get_data(as_text=True)
    auth.logout()
    record = _submitted(client, auth, plan)
    assert _marked() == [record.id]
    auth.login("office", follow=False)
    after = client.get(f"/reports/dashboard?plan={plan.id}").get_data(as_text=True)
    checked = [int(re.search(r"<strong>(\d+)</strong><span>已检查</span>", html).group(1)) for html in (before, after)]
    assert checked[1] == checked[0] + 1, checked
    if db.engine.dialect.name == "postgresql":
        assert _marked() == []
    _same(plan.id)


def test_the_periodic_settle_refreshes_every_marked_record_and_commits(world, client, auth):
    plan = review_plan()
    confirm_all(entity_draw(plan))
    inspector_draw(plan)
    first, second = _submitted(client, auth, plan, "jt01", 21), _submitted(client, auth, plan, "rs01", 22)
    assert sorted(_marked()) == sorted({first.id, second.id})
    periodic.run("dashboard.settle")
    assert _marked() == []
    _same(plan.id)


def test_a_settle_skips_a_marked_record_another_transaction_is_writing_and_takes_it_at_the_next(world, client,
                                                                                                 auth):
    """Two readers, or a reader and a writer, never wait on each other: a record locked by another transaction
    (a review's decision being written, say) stays marked and its counts unmoved, and the next settle moves them."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks and SKIP LOCKED are PostgreSQL's (TEST_DATABASE_URL)")
    plan = review_plan()
    confirm_all(entity_draw(plan))
    inspector_draw(plan)
    record = _submitted(client, auth, plan)
    kept_before = _kept_unsettled(plan.id)
    with db.engine.connect() as other:
        other.execute(select(InspectionRecord.id).where(InspectionRecord.id == record.id).with_for_update())
        assert dashboard_reads.settle([plan.id]) == 0
        assert _marked() == [record.id] and _kept_unsettled(plan.id) == kept_before
        other.rollback()
    assert dashboard_reads.settle([plan.id]) == 1
    assert _marked() == []
    _same(plan.id)


def _kept_unsettled(plan_id: int) -> Counter:
    db.session.rollback()
    rows = db.session.execute(select(DashboardCount.section, DashboardCount.key, DashboardCount.n)
                              .where(DashboardCount.plan_id == plan_id, DashboardCount.n != 0))
    return Counter({(section, key): n for section, key, n in rows})


def test_reading_the_counts_is_one_statement_while_nothing_is_marked(world, client, auth):
    """The dashboard page's statements (issue 13: at most 10) do not grow by the settle: the counts and how many
    of the plan's records are marked come back in one; only a marked record costs the settle and a second read."""
    plan = review_plan()
    confirm_all(entity_draw(plan))
    inspector_draw(plan)
    plan_id = plan.id
    db.session.commit()
    with statements() as seen:
        quiet = dashboard_reads.counts([plan_id])
    assert len(seen) == 1 and quiet
    _submitted(client, auth, plan)
    with statements() as seen:
        fresh = dashboard_reads.counts([plan_id])
    assert len(seen) > 1 and any(s.lstrip().startswith("DELETE FROM dashboard_stale") for s in seen), seen
    assert fresh != quiet
    assert sum(n for _, section, _, n in fresh if section == 0) == sum(n for _, section, _, n in quiet if section == 0)
    db.session.commit()  # SQLite settles in the session's transaction (PostgreSQL in its own, committed)
    with statements() as seen:
        assert dashboard_reads.counts([plan_id]) == fresh
    assert len(seen) == 1


def test_a_rolled_back_write_leaves_nothing_for_the_next_commit_to_refresh_or_mark(world, client, auth):
    """What a transaction wrote and rolled back is not the next transaction's: its records are neither refreshed
    nor marked at the next commit (what it had noted, its locks among it, went with it)."""
    plan = review_plan()
    confirm_all(entity_draw(plan))
    inspector_draw(plan)
    record = db.session.scalars(select(InspectionRecord).where(InspectionRecord.plan_id == plan.id)
                                .order_by(InspectionRecord.id)).first()
    record.understaffed = not record.understaffed
    db.session.flush()
    db.session.execute(update(InspectionRecord).where(InspectionRecord.id == record.id)
                       .values(status=RecordStatus.SUBMITTED.value)
                       .execution_options(dashboard_records=(record.id,), dashboard_later=True))
    db.session.rollback()
    with statements() as seen:
        db.session.commit()
    assert _dashboard(seen) == [] and _marked() == []
    _same(plan.id)
