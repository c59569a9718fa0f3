"""The acts that webhooks tell (core.events → integration): each one delivered, on commit, to the subscriptions of
its jurisdiction and of the offices above it, with only public data; a rolled-back act tells no one."""
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from tests import factories
from tests.field_api.conftest import Phone, jpeg_with_exif, sha, submission
from webapp.core.extensions import db
from webapp.stages.accounts import jurisdictions
from webapp.stages.integration import webhooks
from webapp.stages.integration.models import WebhookDelivery
from webapp.stages.publication import followup, publishing
from webapp.stages.publication.models import FollowUpTask


class Got(list):
    url = ""


@pytest.fixture
def received():
    got = Got()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((self.headers["X-Spotcheck-Event"], json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    got.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield got
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribed(placed, home, received):
    """The district subscribed to every event; the province above it to results only; a sibling district too."""
    province = jurisdictions.by_code("130000")
    sibling = jurisdictions.ensure(*jurisdictions.JINGXIU)
    webhooks.subscribe(received.url, list(webhooks.EVENTS), home.id)
    webhooks.subscribe(received.url + "?province", ["result.published"], province.id)
    webhooks.subscribe(received.url + "?sibling", list(webhooks.EVENTS), sibling.id)
    db.session.commit()
    return placed


def _events(received):
    return [name for name, _ in received]


def test_a_draw_executed_is_told_with_its_public_summary_only(subscribed, received):
    draw = factories.entity_draw(subscribed.current)
    assert _events(received) == ["draw.executed"]
    data = received[0][1]["data"]
    assert data["draw"] == draw.id and data["seed"] == draw.seed and data["drawn"] > 0
    text = json.dumps(received[0][1], ensure_ascii=False)
    assert not any(e.uscc in text or e.name in text for e in subscribed.entities)  # no visit announced


def test_results_published_and_withdrawn_reach_the_district_and_the_province(subscribed, received):
    office = factories.get_user("office")
    records = [factories.approved_record(subscribed.old, e) for e in subscribed.entities[:2]]
    publishing.publish(records, office)
    db.session.commit()
    published = [d for name, d in received if name == "result.published"]
    parts = 2 * len(subscribed.old.departments)  # each department's part of each record
    assert len(published) == parts * 2  # to the district and to the province above it
    one = published[0]["data"]
    assert one["id"] == f"{one['record']}-{one['department']}" and one["document_sha256"]
    private = factories.private_strings(records[0])
    assert not any(s in json.dumps(published, ensure_ascii=False) for s in private)
    publishing.withdraw(records[0], office, "公示信息有误，重新审核。")
    db.session.commit()
    withdrawn = [d["data"] for name, d in received if name == "result.withdrawn"]
    assert len(withdrawn) == len(subscribed.old.departments) and {w["reason"] for w in withdrawn} == {"公示信息有误，重新审核。"}
    sibling = db.session.scalars(select(WebhookDelivery).join(WebhookDelivery.subscription)
                                 .where(WebhookDelivery.subscription.has(url=received.url + "?sibling"))).all()
    assert sibling == []


def test_a_publication_rolled_back_tells_no_one(subscribed, received):
    records = [factories.approved_record(subscribed.old, e) for e in subscribed.entities[:1]]
    publishing.publish(records, factories.get_user("office"))
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert received == [] and db.session.scalar(select(WebhookDelivery.id)) is None


def test_a_follow_up_closed_is_told(subscribed, received):
    record = factories.approved_record(subscribed.current, subscribed.entities[0], codes=["follow_up"],
                                       failed=["weijian"])
    publishing.publish([record])
    db.session.commit()
    task = db.session.scalar(select(FollowUpTask).where(FollowUpTask.record_id == record.id))
    followup.close(task, factories.get_user("wj_admin"), "已责令整改，复查合格。")
    db.session.commit()
    [closed] = [d["data"] for name, d in received if name == "follow_up.closed"]
    assert closed == {"record": record.token, "department": "weijian", "status": "closed",
                      "closed_on": closed["closed_on"], "id": f"followup-{task.id}"}


def test_a_record_submitted_from_the_phone_is_told_without_its_findings(subscribed, received, client, auth):
    pair = factories.dispatched_pair(subscribed.current)
    phone = Phone(client, auth).login("jt01")
    record = pair.record
    evidence = jpeg_with_exif(colour=(20, 120, 20))
    assert phone.upload(record.id, evidence, kind="evidence").status_code == 201
    refusal = {"note": "法定代表人拒绝在检查记录上签字，经两名执法人员确认。",
               "confirmed_by": [m.inspector.certificate_no for m in record.members[:2]], "evidence": [sha(evidence)]}
    assert phone.put(submission(record, refusal=refusal)).status_code == 201
    [data] = [d["data"] for name, d in received if name == "record.submitted"]
    assert data["record_id"] == record.id and data["plan"] == subscribed.current.doc_number
    assert set(data) == {"record_id", "record", "plan", "inspected_on", "submitted_at", "late"}
