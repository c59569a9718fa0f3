"""The office publishes approved records, one by one, selected, or the whole plan; so does the CLI."""
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import approved_record, current_plan, department, directory_entities, old_plan
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.stages.publication.models import FollowUpTask
from webapp.stages.records.models import InspectionRecord


def _publish(client, plan, **form):
    data = {"csrf_token": csrf_token(client, f"/publication/plans/{plan.id}"), **form}
    return client.post(f"/publication/plans/{plan.id}/publish", data=data, follow_redirects=True)


def test_office_publishes_one_record_and_it_is_audited(world, client, auth):
    plan = current_plan()
    a, b = (approved_record(plan, e) for e in directory_entities(2))
    auth.login("office")
    page = client.get(f"/publication/plans/{plan.id}").get_data(as_text=True)
    assert a.entity.name in page and b.entity.name in page and "公示期限" in page
    html = _publish(client, plan, record=str(a.id)).get_data(as_text=True)
    assert "已公示 1 份检查表" in html
    db.session.expire_all()
    assert a.status == "published" and a.published_at is not None
    assert b.status == "approved" and b.published_at is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "record.publish"))
    assert event.object_id == str(a.id) and event.user.username == "office"


def test_bulk_publication_of_a_plan_takes_only_approved_records(world, client, auth):
    plan = current_plan()
    approved = [approved_record(plan, e) for e in directory_entities(3)]
    submitted = approved_record(plan, directory_entities(1, offset=3)[0], status="submitted")
    auth.login("office")
    assert "已公示 3 份检查表" in _publish(client, plan, all="1").get_data(as_text=True)
    db.session.expire_all()
    assert {r.status for r in approved} == {"published"}
    assert submitted.status == "submitted" and submitted.published_at is None


def test_selecting_a_record_not_yet_approved_publishes_nothing(world, client, auth):
    plan = current_plan()
    ok = approved_record(plan, directory_entities(1)[0])
    not_ok = approved_record(plan, directory_entities(1, offset=1)[0], status="returned")
    auth.login("office")
    html = _publish(client, plan, record=[str(ok.id), str(not_ok.id)]).get_data(as_text=True)
    assert "只能公示审核通过的检查表" in html and not_ok.entity.name in html
    db.session.expire_all()
    assert ok.status == "approved" and not_ok.status == "returned"


def _still_approved(record) -> bool:
    db.session.expire_all()
    return record.status == "approved" and record.published_at is None


def test_a_record_of_another_plan_cannot_be_slipped_in(world, client, auth):
    plan, other = current_plan(), old_plan()
    foreign = approved_record(other, directory_entities(1)[0])
    auth.login("office")
    response = _publish(client, plan, record=str(foreign.id))
    assert response.status_code == 404
    assert _still_approved(foreign)


def test_only_the_office_publishes(world, client, auth):
    plan = current_plan()
    record = approved_record(plan, directory_entities(1)[0])
    auth.login("jt_review")
    assert client.get(f"/publication/plans/{plan.id}").status_code == 403
    token = csrf_token(client, "/home")
    assert client.post(f"/publication/plans/{plan.id}/publish",
                       data={"csrf_token": token, "all": "1"}).status_code == 403
    assert _still_approved(record)


def test_publishing_without_csrf_token_is_refused(world, client, auth):
    plan = current_plan()
    record = approved_record(plan, directory_entities(1)[0])
    auth.login("office")
    assert client.post(f"/publication/plans/{plan.id}/publish", data={"all": "1"}).status_code == 400
    assert _still_approved(record)


def test_cli_publishes_a_plan_and_opens_follow_ups(world, runner):
    plan = current_plan()
    plain = approved_record(plan, directory_entities(1)[0])
    problem = approved_record(plan, directory_entities(1, offset=1)[0], codes=["follow_up"], failed=["weijian"])
    result = runner.invoke(args=["publish", "--plan", str(plan.id)])
    assert result.exit_code == 0, result.output
    assert "已公示 2 份检查表" in result.output
    db.session.expire_all()
    assert plain.status == problem.status == "published"
    tasks = db.session.scalars(select(FollowUpTask)).all()
    assert [(t.record_id, t.department_id) for t in tasks] == [(problem.id, department("weijian").id)]
    again = runner.invoke(args=["publish", "--plan", str(plan.id)])
    assert again.exit_code == 0 and "没有待公示" in again.output
    assert db.session.scalar(select(db.func.count()).select_from(FollowUpTask)) == 1


def test_cli_unknown_plan_fails_clearly(world, runner):
    result = runner.invoke(args=["publish", "--plan", "999"])
    assert result.exit_code == 1 and "计划 999 不存在" in result.output


def test_publication_deadline_helper(world):
    from webapp.stages.publication.publishing import publication_deadline
    plan = current_plan()
    deadline = publication_deadline(plan)
    assert deadline.due > plan.window_end


def test_publish_list_shows_no_unapproved_records(world, client, auth):
    plan = current_plan()
    hidden = approved_record(plan, directory_entities(1)[0], status="submitted")
    auth.login("office")
    page = client.get(f"/publication/plans/{plan.id}").get_data(as_text=True)
    assert hidden.entity.name not in page and "没有待公示的检查表" in page
    assert db.session.get(InspectionRecord, hidden.id).status == "submitted"
