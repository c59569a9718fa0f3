"""The follow-up list pages by keyset on (deadline, id): walking the 下一页 links shows every task exactly once,
in deadline order, ties by id."""
import re
from datetime import timedelta
from html import unescape

from tests import factories
from webapp.core import clock
from webapp.core.extensions import db
from webapp.faces.department import followup
from webapp.stages.publication.models import FollowUpTask


def walk(client, url: str, item: str, kind=int, within=None) -> list:
    """What `item` matches on each page (as `kind`), following the 下一页 link to the end; `within`: the part of
    the page to read (a page with two lists), whose own 下一页 is followed."""
    seen = []
    while url:
        html = client.get(url).get_data(as_text=True)
        html = within(html) if within else html
        seen += [kind(i) for i in re.findall(item, html)]
        after = re.search(r'href="([^"]*[?&;](?:after|a|p)=[^"]*)"[^>]*>下一页', html)
        url = unescape(after.group(1)) if after else None
    return seen


def test_walking_the_follow_up_pages_shows_every_task_once(world, client, auth, monkeypatch):
    monkeypatch.setattr(followup, "PER_PAGE", 3)
    plan = factories.current_plan()
    lead = factories.department("jiaoti")
    today = clock.today()
    for i, target in enumerate(factories.directory_entities(11)):  # deadlines repeat: ties cross page ends
        record = factories.dispatched(plan, target)
        db.session.add(FollowUpTask(record_id=record.id, department_id=lead.id, deadline=today + timedelta(days=i % 4),
                                    status="closed" if i % 5 == 0 else "open"))
    db.session.commit()
    expected = [t.id for t in db.session.scalars(db.select(FollowUpTask).order_by(FollowUpTask.deadline,
                                                                                  FollowUpTask.id))]
    auth.login("office")
    assert walk(client, "/followup/?status=all", r'href="/followup/(\d+)"') == expected
    open_ = [t for t in expected if db.session.get(FollowUpTask, t).status == "open"]
    assert walk(client, "/followup/", r'href="/followup/(\d+)"') == open_
    assert client.get("/followup/?after=not-a-cursor").status_code == 200  # a bad cursor: the first page
