"""撤回公示: the office takes a published result back with a public reason; the record returns to review."""
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import approved_record, current_plan, directory_entities
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.stages.publication import publishing
from webapp.stages.publication.models import PublicationWithdrawal

REASON = "检查结果类别录入有误，更正后重新公示。"


def _published(n=1):
    records = [approved_record(current_plan(), e, codes=["follow_up", "not_disclosed"]) for e in directory_entities(n)]
    publishing.publish(records)
    db.session.commit()
    return records


def _withdraw(client, record, reason=REASON):
    page = f"/publication/plans/{record.plan_id}"
    return client.post(f"/publication/records/{record.id}/withdraw",
                       data={"csrf_token": csrf_token(client, page), "reason": reason}, follow_redirects=True)


def test_office_withdraws_a_publication_and_the_public_sees_why(world, client, auth):
    record, = _published()
    was_published = record.published_at
    public = client.application.test_client()
    assert public.get(f"/public/enterprise/{record.entity.uscc}").status_code == 200
    auth.login("office")
    assert "撤回公示" in client.get(f"/publication/plans/{record.plan_id}").get_data(as_text=True)
    html = _withdraw(client, record).get_data(as_text=True)
    assert f"已撤回“{record.entity.name}”的公示" in html
    db.session.expire_all()
    assert record.status == "submitted" and record.published_at is None
    w = db.session.scalar(select(PublicationWithdrawal).where(PublicationWithdrawal.record_id == record.id))
    assert w.reason == REASON and w.by.username == "office" and w.published_at == was_published
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "record.withdraw_publication"))
    assert event.object_id == str(record.id) and event.user.username == "office"
    # Gone from the enterprise's public page and the portal; the printed QR says what happened and why.
    auth.logout()  # (the test app shares one app context, so the signed-in user would leak into `public`)
    assert public.get(f"/public/enterprise/{record.entity.uscc}").status_code == 404
    assert record.entity.name not in public.get("/public/").get_data(as_text=True)
    page = public.get(f"/v/{record.token}").get_data(as_text=True)
    assert "此前的公示已撤回" in page and REASON in page and "未按规定公示应当公示的信息" not in page


def test_a_withdrawn_record_is_reviewed_again_and_republished(world, client, auth):
    record, = _published()
    auth.login("office")
    _withdraw(client, record)
    auth.logout()
    auth.login("jt_review")
    assert record.entity.name in client.get("/review/").get_data(as_text=True)  # back in the queue
    page = client.get(f"/review/records/{record.id}").get_data(as_text=True)
    assert "撤回公示，退回审核" in page and REASON in page  # the reviewer sees why it came back
    from webapp.stages.review import service as review

    db.session.expire_all()
    review.decide(record, _user("jt_review"), "approve", "已更正。")
    publishing.publish([record])
    db.session.commit()
    auth.logout()
    page = client.application.test_client().get(f"/v/{record.token}").get_data(as_text=True)
    assert "查看该单位全部公示结果" in page and REASON in page  # the earlier withdrawal stays on the record


def _user(username):
    from webapp.stages.accounts.models import User

    return db.session.scalar(select(User).where(User.username == username))


def test_withdrawal_needs_a_reason_and_a_published_record(world, client, auth):
    record, = _published()
    approved = approved_record(current_plan(), directory_entities(1, offset=5)[0])
    auth.login("office")
    html = _withdraw(client, record, reason="错").get_data(as_text=True)
    assert "请写明撤回理由（至少 4 个字）" in html
    html = _withdraw(client, approved).get_data(as_text=True)
    assert "只能撤回已公示的检查结果" in html
    db.session.expire_all()
    assert record.status == "published" and approved.status == "approved"
    assert db.session.scalar(select(PublicationWithdrawal)) is None


def test_only_the_office_withdraws_and_never_without_csrf(world, client, auth):
    record, = _published()
    for username in ("jt_review", "jt_admin", "jt01"):
        auth.login(username)
        token = csrf_token(client, "/home")
        response = client.post(f"/publication/records/{record.id}/withdraw", data={"csrf_token": token,
                                                                                   "reason": REASON})
        assert response.status_code == 403
        auth.logout()
    auth.login("office")
    assert client.post(f"/publication/records/{record.id}/withdraw", data={"reason": REASON}).status_code == 400
    db.session.expire_all()
    assert record.status == "published"
