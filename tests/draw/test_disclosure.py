"""Commit now, reveal later (issue 11 §1): before the plan's inspection window has closed, no public URL names a
drawn enterprise's team or a certificate number of it; the public sees the commitment, the seed and the counts.
After the window closes (or the office's audited early disclosure) the full manifest is public, verifies, and
matches what was published on the day of the draw."""
import json
import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import confirm_all, entity_draw, get_user, inspector_draw
from webapp.core import clock, ledger
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.domain import manifest as published
from webapp.domain.draw import verify
from webapp.stages.directory.models import Entity
from webapp.stages.publication import credentials
from webapp.stages.records.models import InspectionRecord


def _both_draws(world):
    p = world.current
    ent = entity_draw(p)
    confirm_all(ent)
    insp = inspector_draw(p)
    return p, ent, insp


def _secrets(insp):
    """What must not be public before the window closes: every team's certificate numbers, every drawn
    enterprise's USCC and name."""
    certs = {c for t in insp.result["teams"] for c in t["certificates"]}
    usccs = {u for u, _, _ in insp.result["entities"]}
    names = {e.name for e in db.session.scalars(select(Entity).where(Entity.uscc.in_(usccs)))}
    assert certs and usccs and names
    return certs | usccs | names


def _public_urls(client, draws):
    """Every public URL there is to see (crawled from the public pages, plus the log's JSON and every credential)."""
    urls = {"/public/", "/public/draws", "/transparency/", "/transparency/heads.json", "/transparency/leaves",
            "/transparency/key.pem"}
    for d in draws:
        urls |= {f"/public/draws/{d.id}", f"/public/draws/{d.id}/manifest.json"}
    for i in range(ledger.size()):
        urls |= {f"/transparency/leaf/{i}", f"/transparency/proof/inclusion?index={i}"}
    for token in db.session.scalars(select(InspectionRecord.token)):
        urls.add(f"/v/{token}")
    from webapp.stages.directory.models import InspectorProfile

    for profile in db.session.scalars(select(InspectorProfile)):
        urls.add(f"/credential/{credentials.active_credential(profile).token}")
    db.session.commit()
    seen, todo = {}, sorted(urls)
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        response = client.get(url)
        text = response.get_data(as_text=True)
        seen[url] = text
        for link in re.findall(r'href="(/(?:public|transparency|v|credential)[^"#]*)"', text):
            link = link.replace("&amp;", "&")
            if link not in seen:
                todo.append(link)
    return seen


def test_before_the_window_closes_no_public_url_names_a_team_or_a_target(world, client):
    p, ent, insp = _both_draws(world)
    assert p.window_end >= clock.today()
    secrets = _secrets(insp)
    pages = _public_urls(client, [ent, insp])
    assert len(pages) > 20
    for url, text in pages.items():
        leaked = sorted(s for s in secrets if s in text)
        if url.startswith("/credential/"):
            # A credential page shows its inspector's own card (that is its purpose), never the targets.
            profile_certs = {c for t in insp.result["teams"] for c in t["certificates"]}
            leaked = [s for s in leaked if s not in profile_certs]
        if url.startswith("/v/"):
            # A record's QR page names its own enterprise (the one holding the QR code), never its team.
            record = db.session.scalar(select(InspectionRecord).where(InspectionRecord.token == url[3:]))
            leaked = [s for s in leaked if s not in (record.entity.name, record.entity.uscc)]
        assert not leaked, f"{url} shows {leaked[:3]}"
    # What the public does see: the commitment, the seed, the counts per level, the manifest's SHA-256.
    html = pages[f"/public/draws/{insp.id}"]
    for value in (insp.population_digest, insp.commitment, insp.seed, insp.manifest_sha256, "检查时限届满"):
        assert value in html
    assert insp.nonce not in html
    summary = json.loads(pages[f"/public/draws/{insp.id}/manifest.json"])
    assert summary["disclosed"] is False and "teams" not in summary and "population" not in summary
    assert sum(summary["drawn_by_level"].values()) == len(insp.result["entities"])
    assert sum(summary["population_by_level"].values()) == insp.population_size


def _after_the_window(monkeypatch, plan):
    """Time passes: today is the day after the plan's inspection window."""
    day = plan.window_end + timedelta(days=1)
    monkeypatch.setattr(clock, "today", lambda: day)


def test_after_the_window_closes_the_manifest_is_public_verifies_and_matches_the_commitment(world, client, runner,
                                                                                             tmp_path, monkeypatch):
    p, ent, insp = _both_draws(world)
    before = client.get(f"/public/draws/{insp.id}/manifest.json").get_data()
    (tmp_path / "published.json").write_bytes(before)  # what a journalist saved on the day of the draw
    _after_the_window(monkeypatch, p)
    html = client.get(f"/public/draws/{insp.id}").get_data(as_text=True)
    cert = insp.result["teams"][0]["certificates"][0]
    assert cert in html and insp.nonce in html
    full = client.get(f"/public/draws/{insp.id}/manifest.json").get_data()
    m = json.loads(full)
    assert m["teams"] == insp.result["teams"]
    assert all(ok for _, ok, _ in verify(m))
    assert all(ok for _, ok, _ in published.check_published(m, json.loads(before)))
    (tmp_path / "manifest.json").write_bytes(full)
    result = runner.invoke(args=["verify-draw", str(tmp_path / "manifest.json"), "--published",
                                 str(tmp_path / "published.json")])
    assert result.exit_code == 0, result.output
    assert "与执行时公布的清单 SHA-256" in result.output and insp.commitment in result.output
    assert insp.population_digest in result.output
    # The log's leaf of the execution fixes it too.
    leaf = next(x for x in ledger.leaves_of(f"draw:{insp.id}") if x.kind == "draw.executed")
    assert json.loads(leaf.body)["manifest_sha256"] == published.committed_sha256(m)
    # A manifest changed after the draw no longer matches what was published.
    m["teams"][0]["certificates"] = m["teams"][0]["certificates"][::-1] + ["13060699999"]
    assert not all(ok for _, ok, _ in published.check_published(m, json.loads(before)))
    # `log-sign` records the disclosure the window's end made, once.
    assert runner.invoke(args=["log-sign"]).exit_code == 0
    kinds = [x.kind for x in ledger.leaves_of(f"draw:{insp.id}")]
    assert kinds == ["draw.prepared", "draw.executed", "manifest.disclosed"]
    runner.invoke(args=["log-sign"])
    assert [x.kind for x in ledger.leaves_of(f"draw:{insp.id}")].count("manifest.disclosed") == 1


def test_the_entity_manifest_commitment_survives_the_departments_exclusions(world, client, monkeypatch):
    """The exclusions come after the draw: the SHA-256 published at the execution leaves them out."""
    d = entity_draw(world.current)
    from webapp.stages.draw import confirmation

    e = db.session.scalar(select(Entity).where(Entity.uscc == d.result["selected"][0][0]))
    confirmation.exclude(d.confirmations[0], e, "moved", "已迁至竞秀区", get_user("jt_admin"))
    db.session.commit()
    _after_the_window(monkeypatch, world.current)
    m = json.loads(client.get(f"/public/draws/{d.id}/manifest.json").get_data())
    assert m["exclusions"] and published.committed_sha256(m) == d.manifest_sha256


def test_the_summary_alone_is_not_taken_for_a_manifest(world, client, runner, tmp_path):
    _, _, insp = _both_draws(world)
    (tmp_path / "s.json").write_bytes(client.get(f"/public/draws/{insp.id}/manifest.json").get_data())
    result = runner.invoke(args=["verify-draw", str(tmp_path / "s.json")])
    assert result.exit_code != 0 and "不是完整清单" in result.output


def test_office_discloses_early_with_a_reason_audited_and_logged(world, client, auth):
    p, ent, insp = _both_draws(world)
    auth.login("office")
    page = f"/draw/plans/{p.id}"
    html = client.get(page).get_data(as_text=True)
    assert "提前公开清单" in html
    response = client.post(f"/draw/{insp.id}/disclose", data={"reason": "", "csrf_token": csrf_token(client, page)},
                           follow_redirects=True)
    assert "必须写明理由" in response.get_data(as_text=True)
    reason = "按本地规定，抽取后即公开名单"
    response = client.post(f"/draw/{insp.id}/disclose", data={"reason": reason, "csrf_token": csrf_token(client, page)},
                           follow_redirects=True)
    assert "已提前公开" in response.get_data(as_text=True)
    auth.logout()
    html = client.get(f"/public/draws/{insp.id}").get_data(as_text=True)
    assert reason in html and insp.result["teams"][0]["certificates"][0] in html
    assert all(ok for _, ok, _ in verify(json.loads(client.get(f"/public/draws/{insp.id}/manifest.json").get_data())))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "draw.disclose"))
    assert event.user_id == get_user("office").id and event.detail["reason"] == reason
    leaf = ledger.leaf_of(f"draw:{insp.id}")
    body = json.loads(leaf.body)
    assert leaf.kind == "manifest.disclosed" and body["reason"] == reason and body["early"] is True
    # The entity draw of the same plan stays sealed.
    assert ent.result["selected"][0][0] not in client.get(f"/public/draws/{ent.id}").get_data(as_text=True)


def test_office_and_department_admins_get_the_manifest_before_disclosure(world, client, auth):
    _, _, insp = _both_draws(world)
    assert client.get(f"/draw/{insp.id}/manifest.json").status_code in (302, 401)
    auth.login("office")
    full = json.loads(client.get(f"/draw/{insp.id}/manifest.json").get_data())
    assert full["teams"] == insp.result["teams"] and all(ok for _, ok, _ in verify(full))
    auth.logout()
    auth.login("rs_admin")
    part = json.loads(client.get(f"/draw/{insp.id}/manifest.json").get_data())
    assert part["part"]["department"] == "renshe" and "nonce" not in part
    assert part["teams"] and {t["department"] for t in part["teams"]} == {"renshe"}
    assert {r["department"] for r in part["roster"]} == {"renshe"}
    auth.logout()
    auth.login("jt01")
    assert client.get(f"/draw/{insp.id}/manifest.json").status_code == 403
