"""A city (or province) office reads its districts' pages but runs none of them (issue 12 §1): the pages it may
open show it no write form (no <form method=post> but signing out), while the district's own office sees them,
and the write itself stays 403."""
import re

import pytest
from sqlalchemy import select

from tests import factories

from tests.conftest import csrf_token
from tests.jurisdictions.test_matrix import matrix  # noqa: F401 (the fixture)
from webapp.core.extensions import db
from webapp.domain.status import PartStatus
from webapp.stages.publication import publishing
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
