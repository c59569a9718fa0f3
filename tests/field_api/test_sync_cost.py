"""What a record PUT costs the server: a drawn plan's items and departments are kept per process (a draft plan's
are read every time); the audit chain goes in last (tests/core/test_audit_chain.py)."""
from sqlalchemy import select

from tests import factories
from tests.perf.test_query_counts import statements
from webapp.core.extensions import db
from webapp.stages.directory.models import Entity

from .conftest import sha, signature_png, submission


def _plan_reads(phone, record) -> int:
    signature = signature_png(record.id)
    assert phone.upload(record.id, signature, kind="signature").status_code == 201
    body = submission(record, signature=sha(signature))
    with statements() as seen:
        response = phone.put(body)
    assert response.status_code == 201, response.get_json()
    return len([s for s in seen if "FROM plan_items" in s or "FROM plan_departments" in s])


def test_a_drawn_plans_items_are_read_once_per_process_a_draft_plans_every_time(phone, dispatched):
    phone.login("jt01")
    plan = dispatched.plan
    entities = db.session.scalars(select(Entity).order_by(Entity.id).limit(4)).all()
    assert plan.editable and _plan_reads(phone, dispatched.record) == 2
    plan.status = "drawn"  # frozen from now on (stages/draw/ceremony.py)
    db.session.commit()
    assert _plan_reads(phone, factories.dispatched(plan, entities[2], ("jt01", "rs01"))) == 2
    assert _plan_reads(phone, factories.dispatched(plan, entities[3], ("jt01", "rs01"))) == 0
