"""Two districts and their city: an office sees its own plans, draws and records, the city sees both, and an id
of the other district's row answers 404 (id-guessing)."""
import pytest

from tests import factories
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain import roles, uscc
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department
from webapp.stages.draw import ceremony
from webapp.stages.plans import eligibility


@pytest.fixture
def two(world):
    jingxiu = jurisdictions.ensure(*jurisdictions.JINGXIU)
    city = jurisdictions.by_code("130600")
    dept = Department(code="jiaoti", name=factories.DEPARTMENT_NAMES["jiaoti"], jurisdiction=jingxiu)
    db.session.add(dept)
    db.session.flush()
    jx_plan = factories.plan(codes=("jiaoti",), items=[], jurisdiction_id=jingxiu.id,
                             doc_number="竞双随机办[2026]1号")
    jx_plan.lead_department = dept
    jx_plan.departments[0].department = dept
    jx_entities = [factories.entity(uscc=uscc.complete(f"91130602MA{n:07d}")) for n in range(1, 6)]
    factories.user("jx_office", (roles.OFFICE_ADMIN,)).jurisdiction = jingxiu
    factories.user("baoding", (roles.OFFICE_ADMIN,)).jurisdiction = city
    db.session.commit()
    return world, jx_plan, jx_entities, jingxiu


def test_entities_are_placed_by_the_usccs_division_code(two):
    world, _, jx_entities, jingxiu = two
    assert {e.jurisdiction_id for e in jx_entities} == {jingxiu.id}
    assert {e.jurisdiction_id for e in world.entities} == {jurisdictions.by_code("130606").id}


@pytest.mark.parametrize("who, own, other", [("office", "lianchi", "jingxiu"), ("jx_office", "jingxiu", "lianchi")])
def test_a_district_office_sees_only_its_plans_and_guessing_another_id_is_404(two, client, auth, who, own, other):
    world, jx_plan, _, _ = two
    plans = {"lianchi": world.current, "jingxiu": jx_plan}
    auth.login(who)
    page = client.get("/plans").get_data(as_text=True)
    assert plans[own].doc_number in page
    assert client.get(f"/plans/{plans[own].id}").status_code == 200
    for url in (f"/plans/{plans[other].id}", f"/plans/{plans[other].id}/eligibility",
                f"/plans/{plans[other].id}/edit"):
        assert client.get(url).status_code == 404, url
    if own == "jingxiu":
        assert world.current.doc_number not in page


def test_the_city_sees_both_districts(two, client, auth):
    world, jx_plan, _, _ = two
    auth.login("baoding")
    for p in (world.current, jx_plan):
        assert client.get(f"/plans/{p.id}").status_code == 200


def test_a_plan_draws_only_in_its_area_and_a_city_plan_across_its_districts(two):
    world, jx_plan, jx_entities, _ = two
    jx_usccs = {e.uscc for e in jx_entities}
    lianchi = {u for u, _ in ceremony.eligible_population(world.current)}
    assert lianchi and not lianchi & jx_usccs
    assert {u for u, _ in ceremony.eligible_population(jx_plan)} <= jx_usccs
    city_plan = factories.plan(codes=("jiaoti",), items=[], jurisdiction_id=jurisdictions.by_code("130600").id,
                               doc_number="保市双随机办[2026]1号")
    db.session.commit()
    population = {u for u, _ in ceremony.eligible_population(city_plan)}
    assert jx_usccs & population and lianchi & population
    draw = ceremony.prepare(city_plan, algo.ENTITIES, factories.get_user("baoding"), "test")
    assert draw.population and eligibility.summary(city_plan)["eligible"]


@pytest.mark.parametrize("who, other", [("office", "jingxiu"), ("jx_office", "lianchi")])
def test_another_districts_publication_and_poster_pages_are_404(two, client, auth, who, other):
    world, jx_plan, _, _ = two
    plan = {"lianchi": world.current, "jingxiu": jx_plan}[other]
    auth.login(who)
    for url in (f"/publication/plans/{plan.id}", f"/qr/posters/plan/{plan.id}"):
        assert client.get(url).status_code == 404, url
    own = {"lianchi": jx_plan, "jingxiu": world.current}[other]
    assert client.get(f"/publication/plans/{own.id}").status_code == 200
