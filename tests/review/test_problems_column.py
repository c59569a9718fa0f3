"""The review queue's 发现问题 reads the record's `has_problems` (0036), which the phone's submission sets with the
findings (a bulk UPDATE, no object) and an object write sets with them too: a disposition, a point found 不符合."""
from sqlalchemy import select

from tests.factories import confirm_all, entity_draw, get_user, inspector_draw, review_plan
from tests.field_api.conftest import Phone, full_findings, signature_png, submission
from tests.field_api.conftest import sha as digest
from webapp.core.extensions import db
from webapp.stages.records.models import InspectionRecord


def test_the_phone_s_submission_sets_has_problems_and_the_filter_reads_it(world, client, auth):
    plan = review_plan()
    confirm_all(entity_draw(plan))
    inspector_draw(plan)
    mine = db.session.scalars(select(InspectionRecord).where(
        InspectionRecord.plan_id == plan.id, InspectionRecord.members.any(inspector_id=get_user("jt01").profile.id))
        .order_by(InspectionRecord.id).limit(3)).all()
    assert len(mine) == 3
    plain, failed, disposed = mine
    phone = Phone(client, auth).login("jt01")
    bodies = {
        plain.id: submission(plain),
        failed.id: submission(failed, findings=full_findings(failed, result="fail", note="收费标准未公示",
                                                             codes=("corrected",)), codes=("corrected",)),
        disposed.id: submission(disposed, codes=("not_disclosed", "corrected")),
    }
    for n, record in enumerate(mine):
        signature = signature_png(30 + n)
        assert phone.upload(record.id, signature, kind="signature", filename="s.png").status_code == 201
        answer = phone.put(dict(bodies[record.id], signature_sha=digest(signature)))
        assert answer.status_code == 201, answer.get_json()
    phone.logout()
    db.session.expire_all()
    assert {r.id: db.session.get(InspectionRecord, r.id).has_problems for r in mine} == {
        plain.id: False, failed.id: True, disposed.id: True}

    auth.login("office")
    html = client.get(f"/review/?f=problems&plan={plan.id}").get_data(as_text=True)
    shown = {r.id for r in mine if f"/review/records/{r.id}\"" in html}
    assert shown == {failed.id, disposed.id}

    record = db.session.get(InspectionRecord, plain.id)  # an object write of the result codes
    record.result_codes = ["follow_up"]
    db.session.commit()
    assert db.session.get(InspectionRecord, plain.id).has_problems is True
