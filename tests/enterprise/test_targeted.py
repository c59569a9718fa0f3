"""定向检查 (issue 15 §3): a department opens a targeted check on a 举报, recorded as such and shown on the handling
page; the report never enters the random draw (population, manifest) nor counts as a random visit."""
import json

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.enterprise.test_tipoffs import _file
from tests.factories import confirm_all, department, directory_entities, entity_draw
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.stages.draw import ceremony, disclosure, visits
from webapp.stages.enterprise.models import TargetedCheck, TipOff


def _open_targeted(client, auth, tip, note="安排两名执法人员于本周内定向检查消防通道"):
    auth.login("wj_admin")
    page = f"/handling/tipoff/{tip.id}"
    response = client.post(page, data={"action": "targeted", "note": note, "csrf_token": csrf_token(client, page)},
                           follow_redirects=True)
    return page, response.get_data(as_text=True)


def test_a_targeted_check_is_recorded_as_such_and_shown_on_the_handling_page(world, client, auth):
    entity = directory_entities(1)[0]
    _file(client, enterprise=entity.uscc)
    tip = db.session.scalar(select(TipOff))
    page, html = _open_targeted(client, auth, tip)
    check = db.session.scalar(select(TargetedCheck))
    assert (check.kind, check.tip_off_id, check.entity_id, check.department_id) == (
        "tipoff", tip.id, entity.id, department("weijian").id)
    assert check.matter == tip.matter and check.opened_by.username == "wj_admin"
    html = client.get(page).get_data(as_text=True)
    assert "定向检查（举报线索）" in html and "不进入随机抽取" in html and "安排两名执法人员" in html
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "tipoff.targeted"))
    assert event.detail["targeted_check"] == check.id
    # a second one by the same department is refused in Chinese and writes nothing
    again = client.post(page, data={"action": "targeted", "note": "", "csrf_token": csrf_token(client, page)},
                        follow_redirects=True).get_data(as_text=True)
    assert "已就该举报开展定向检查" in again
    assert db.session.scalar(select(db.func.count()).select_from(TargetedCheck)) == 1
    # the office's counts keep it after the report is closed
    client.post(page, data={"action": "close", "note": "经定向检查，责令整改。", "csrf_token": csrf_token(client, page)})
    auth.logout()
    auth.login("office")
    assert 'href="/handling/counts"' in client.get("/reports/dashboard").get_data(as_text=True)  # the 看板 links it
    counts = client.get("/handling/counts").get_data(as_text=True)
    row = counts.split(department("weijian").name, 1)[1].split("</tr>", 1)[0]
    assert row.count("<td>1</td>") == 2  # total 1, targeted 1 (open and overdue 0)


def test_a_report_never_enters_the_random_draw(world, client, auth):
    plan = world.current
    before = ceremony.eligible_population(plan)
    entity = next(e for e in directory_entities(40) if (e.uscc, e.risk_level) in before)
    _file(client, enterprise=entity.uscc)
    tip = db.session.scalar(select(TipOff))
    _open_targeted(client, auth, tip)
    assert ceremony.eligible_population(plan) == before  # neither added, nor removed, nor re-weighted
    assert visits.counts(plan.window_start.year)[entity.uscc] == 0  # a targeted check is no random visit

    d = entity_draw(plan)
    confirm_all(d)
    manifest = json.dumps(disclosure.manifest(d), ensure_ascii=False)
    for secret in (tip.receipt, tip.what, "定向", "举报"):
        assert secret not in manifest
    assert d.population_size == len(before)
