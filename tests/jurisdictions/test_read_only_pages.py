"""A city (or province) office reads its districts' pages but runs none of them (issue 12 §1): the pages it may
open show it no write form (no <form method=post> but signing out), while the district's own office sees them,
and the write itself stays 403. The follow-up pages (后续监管) likewise, where the writer is the department admin
of the task's district."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.jurisdictions.test_matrix import matrix  # noqa: F401 (the fixture)
from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain.status import PartStatus
from webapp.stages.publication import publishing
from webapp.stages.publication.models import FollowUpTask
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review import parts as review_parts
from webapp.stages.review.models import ReviewPart

POST_FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']?post[^>]*>", re.I)
ACTION = re.compile(r"\baction=[\"']([^\"']*)[\"']")

# A district's row pages (the city gets 200 on them) and the write forms its own office sees there.
PAGES = [
    ("/publication/plans/{plan}", "/publication/"),
    ("/draw/plans/{plan}", "/draw/"),
    ("/plans/{plan}", None),  # drawn: no form left on it
    ("/review/records/{record}", None),  # decided: the parts are approved
    ("/directory/inspectors/{profile}", "/directory/inspectors/"),
    ("/directory/items/{item}/versions", None),
    ("/plans/{plan}/eligibility", None),
]
LISTS = ["/plans", "/draw/", "/publication/", "/review/", "/admin/users", "/office/webhooks/", "/programme"]


def write_actions(html: str) -> list[str]:
    found = []
    for tag in POST_FORM.findall(html):
        action = ACTION.search(tag)
        url = action.group(1) if action else ""
        if not url.endswith("/logout"):
            found.append(url)
    return found


@pytest.fixture
def staged(matrix):  # noqa: F811
    """One part approved in each district and one published, so the publication page has both kinds of form."""
    for d in matrix.values():
        record = db.session.get(InspectionRecord, d.ids["record"])
        review_parts.materialise(record.plan_id)
        parts = db.session.scalars(select(ReviewPart).where(ReviewPart.record_id == record.id)).all()
        assert parts
        for part in parts:
            part.status, part.result_codes = PartStatus.APPROVED, ["no_problem"]
        if d.prefix == "lc":  # 莲池区's published (the withdraw form), 竞秀区's approved (the publish forms)
            publishing.publish([record], user=factories.get_user("lc_office"))
    db.session.commit()
    return matrix


def test_the_city_sees_no_write_form_on_a_districts_pages_and_its_office_does(staged, client, auth):
    lc = staged["lc"].ids
    auth.login("city")
    for template, _ in PAGES + [("/publication/plans/{plan}", None)]:
        for d in staged.values():
            response = client.get(template.format(**d.ids))
            assert response.status_code == 200, template
            assert write_actions(response.get_data(as_text=True)) == [], template
    for url in LISTS:
        response = client.get(url)
        assert response.status_code == 200, url
        # Its own rows (a city-wide plan, its webhooks) it runs; none of a district's.
        rows = [f"/{kind}/{d.ids[key]}/" for d in staged.values() for kind, key in (
            ("plans", "plan"), ("users", "user"), ("records", "record"), ("draw", "draw"))]
        actions = write_actions(response.get_data(as_text=True))
        assert not [a for a in actions if any(r in a + "/" for r in rows)], (url, actions)
    token = csrf_token(client, "/account/password")
    assert client.post(f"/publication/plans/{lc['plan']}/publish", data={"all": "1", "csrf_token": token}
                       ).status_code == 403
    auth.logout()

    for prefix in ("lc", "jx"):
        auth.login(f"{prefix}_office")
        ids = staged[prefix].ids
        for template, expected in PAGES:
            if expected is None:
                continue
            actions = write_actions(client.get(template.format(**ids)).get_data(as_text=True))
            assert any(expected in a for a in actions), (template, actions)
        publication = write_actions(client.get(f"/publication/plans/{ids['plan']}").get_data(as_text=True))
        wanted = "/withdraw" if prefix == "lc" else "/publish"
        assert any(a.endswith(wanted) for a in publication), publication
        auth.logout()


@pytest.fixture
def follow_ups(staged):
    """A follow-up task (后续监管) on each district's record, owned by its department."""
    made = {}
    for prefix, d in staged.items():
        record = db.session.get(InspectionRecord, d.ids["record"])
        task = FollowUpTask(record=record, department_id=record.members[0].department_id, reason="负有监管职责",
                            deadline=clock.today() + timedelta(days=20))
        db.session.add(task)
        db.session.flush()
        made[prefix] = task.id
    db.session.commit()
    return made


def test_follow_up_pages_the_city_reads_the_departments_admin_closes_and_another_district_is_404(
        follow_ups, client, auth):
    auth.login("city")
    listed = client.get("/followup/?status=all").get_data(as_text=True)
    for task_id in follow_ups.values():
        assert f"/followup/{task_id}" in listed
        page = client.get(f"/followup/{task_id}")
        assert page.status_code == 200 and write_actions(page.get_data(as_text=True)) == []
    token = csrf_token(client, "/account/password")
    assert client.post(f"/followup/{follow_ups['lc']}/close", data={"csrf_token": token, "evidence": "已整改"}
                       ).status_code == 403
    auth.logout()

    for prefix, other in (("lc", "jx"), ("jx", "lc")):
        auth.login(f"{prefix}_office")  # the office reads its district's tasks; their department closes them
        assert write_actions(client.get(f"/followup/{follow_ups[prefix]}").get_data(as_text=True)) == []
        assert client.get(f"/followup/{follow_ups[other]}").status_code == 404
        auth.logout()
        auth.login(f"{prefix}_admin")
        listed = client.get("/followup/?status=all").get_data(as_text=True)
        assert f"/followup/{follow_ups[prefix]}" in listed and f"/followup/{follow_ups[other]}\"" not in listed
        actions = write_actions(client.get(f"/followup/{follow_ups[prefix]}").get_data(as_text=True))
        assert actions == [f"/followup/{follow_ups[prefix]}/close"]
        token = csrf_token(client, "/account/password")
        for url in (f"/followup/{follow_ups[other]}", f"/followup/{follow_ups[other]}/evidence"):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/followup/{follow_ups[other]}/close", data={"csrf_token": token, "evidence": "已整改"}
                           ).status_code == 404
        auth.logout()
    db.session.expire_all()
    assert {t.status for t in db.session.scalars(select(FollowUpTask))} == {"open"}
