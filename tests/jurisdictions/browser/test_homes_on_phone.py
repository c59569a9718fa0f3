"""The homes of a district office, a city office and a department, and the pages a city reads of its districts
(publication, an inspector, the accounts), on a 360 px phone: nothing wider than the screen, no write form for the
city (issue 12, Done when: "the office, city and department homes looked at on a phone")."""
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.helpers import login, screenshot
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.stages.accounts import jurisdictions

pytestmark = pytest.mark.browser


def fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url


def test_the_homes_and_the_citys_read_only_pages_on_a_phone(world, live_server, page):
    drawn = factories.entity_draw(world.current)
    factories.confirm_all(drawn)
    factories.inspector_draw(world.current)
    factories.user("baoding", (roles.OFFICE_ADMIN,), full_name="保定市双随机办").jurisdiction = \
        jurisdictions.by_code("130600")
    db.session.commit()
    profile = world.roster["jiaoti"][0]

    for username, name in (("office", "office-home"), ("jt_admin", "department-home")):
        login(page, live_server.url, username)
        fits(page)
        screenshot(page, f"province-{name}")
        if username == "office":  # the audit page: long hashes in an event's detail wrap, nothing wider than the phone
            page.goto(f"{live_server.url}/office/audit/")
            expect(page.locator(".audit-row").first).to_be_visible()
            fits(page)
            screenshot(page, "province-office-audit")
        page.context.clear_cookies()

    login(page, live_server.url, "baoding")
    expect(page.locator("footer")).to_contain_text("保定市")
    fits(page)
    screenshot(page, "province-city-home")
    for url, name in ((f"/publication/plans/{world.current.id}", "city-publication"),
                      (f"/directory/inspectors/{profile.id}", "city-inspector"), ("/admin/users", "city-users")):
        page.goto(f"{live_server.url}{url}")
        expect(page.locator("main h1").first).to_be_visible()
        fits(page)
        screenshot(page, f"province-{name}")
        # No form on a district's row (the users page keeps its new-account form, without an action: the city
        # makes its own accounts).
        assert page.locator("form[method=post][action]:not([action$='/logout'])").count() == 0, url
