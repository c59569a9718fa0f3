"""无事不扰: an enterprise checked this year up to the cap is left out of another plan's draw, with its reason in
the preview, and the manifest records it so that the verifier still accepts the draw."""
import json
from datetime import date

from tests import factories
from tests.programme.helpers import place_world
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain import manifest as published
from webapp.domain.programme import Limits
from webapp.faces.demo import seed2023
from webapp.stages.draw import ceremony, disclosure, visits
from webapp.stages.plans import eligibility, limits


def _second_2023_plan():
    return factories.plan(seed2023.PLAN, doc_number="保莲双随机办[2023]15号", title="2023年下半年联合抽查",
                          window_start=date(2023, 10, 9), window_end=date(2023, 11, 30))


def _checked_once_then_a_second_plan(world, cap: int):
    """The old plan drawn and confirmed, a second 2023 plan, and 莲池区's cap set: (the first draw, the second plan)."""
    places = place_world()
    first = factories.entity_draw(world.old)
    factories.confirm_all(first)
    later = _second_2023_plan()
    limits.save(places["130606"].id, Limits(visit_cap=cap))
    db.session.commit()
    return first, later


def test_cap_excludes_the_enterprises_already_checked_and_the_verifier_accepts(world):
    places = place_world()
    first = factories.entity_draw(world.old)
    factories.confirm_all(first)
    checked = {row[0] for row in first.result["selected"]}
    assert checked
    later = _second_2023_plan()
    db.session.commit()

    # without a cap nothing changes
    cap, capped = visits.capped_for(later)
    assert cap is None and capped == {}

    limits.save(places["130606"].id, Limits(visit_cap=1))
    db.session.commit()
    cap, capped = visits.capped_for(later)
    assert cap == 1 and set(capped) == checked and set(capped.values()) == {1}

    figures = eligibility.summary(later, cap, capped)
    reasons = {g["text"]: g["count"] for g in figures["excluded"]}
    assert reasons["本年度已被抽查 1 次（每年至多 1 次）"] == len(checked)
    page = eligibility.excluded_after(later, None, 500, cap, capped).items
    assert {e.uscc for e, why in page if why.startswith("本年度已被抽查")} == checked
    # the SQL codes agree with the reference rule
    codes = eligibility.codes(eligibility.with_cap(later.rules, cap), capped)
    assert sum(1 for c in codes.values() if c == eligibility.VISITS) == len(checked)

    draw = ceremony.prepare(later, algo.ENTITIES, factories.get_user("office"), "test")
    population = {u for u, _ in algo.iter_population(draw.population)}
    assert not population & checked
    assert draw.population_size == figures["draw"]["population"]
    assert draw.params["visit_cap"]["cap"] == 1
    assert {x["uscc"] for x in draw.params["visit_cap"]["excluded"]} == checked
    ceremony.reveal(draw, "见证 2023-10-09", factories.get_user("office"), "test")
    db.session.commit()

    m = json.loads("".join(disclosure.manifest_chunks(draw)))
    assert m["visit_cap"]["year"] == 2023
    checks = published.verify(m)
    assert all(ok for _, ok, _ in checks), checks
    assert any(item == "无事不扰" for item, _, _ in checks)
    assert published.committed_sha256(m) == draw.manifest_sha256

    # a manifest that claims an enterprise was left out while it is in the population fails
    forged = dict(m, visit_cap=dict(m["visit_cap"], excluded=m["visit_cap"]["excluded"] + [
        {"uscc": m["population"][0]["uscc"], "visits": 1}]))
    assert not dict((i, ok) for i, ok, _ in published.verify(forged))["无事不扰"]


def test_a_cap_of_two_keeps_an_enterprise_checked_once(world):
    _, later = _checked_once_then_a_second_plan(world, 2)
    cap, capped = visits.capped_for(later)
    assert cap == 2 and capped == {}
    draw = ceremony.prepare(later, algo.ENTITIES, factories.get_user("office"), "test")
    assert draw.params["visit_cap"] == {"cap": 2, "year": 2023, "excluded": []}
    # 2023's checks count in 2023 only
    assert visits.counts(2023) and visits.counts(2024) == {}


def test_the_preview_page_shows_the_visit_reason(world, auth, client):
    _, later = _checked_once_then_a_second_plan(world, 1)
    auth.login("office")
    html = client.get(f"/plans/{later.id}/eligibility").get_data(as_text=True)
    assert "本年度已被抽查 1 次（每年至多 1 次）" in html
    assert "无事不扰" in html
