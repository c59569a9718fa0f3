"""The transparency log over HTTP and its independent verifier (issue 11 §2, §4): every public act is a leaf,
heads are signed after every batch, proofs verify; a leaf edited in the database is named by verify-log, a
rewritten history is caught by the mirror."""
import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select, text

from tests.factories import approved_record, confirm_all, current_plan, directory_entities, entity_draw, get_user
from webapp.core import ledger
from webapp.core.extensions import db
from webapp.domain import logmirror, logverify
from webapp.stages.publication import followup, publishing
from webapp.stages.publication.models import FollowUpTask


def fetch_via(client):
    """logverify's fetch over the Flask test client (the CLI uses urllib against the real server)."""
    def fetch(path):
        response = client.get(path)
        if response.status_code != 200:
            raise logverify.Problem(f"{path}: HTTP {response.status_code} {response.get_data(as_text=True)[:200]}")
        return response.get_data()
    return fetch


def _acts(n, kind="test.act"):
    for i in range(n):
        ledger.record_act(kind, f"test:{i}", {"n": i}, n=i)
    db.session.commit()


def _tamper(sql, **params):
    """Change the log as an attacker with the database's superuser would (the trigger switched off)."""
    db.session.rollback()  # the test's session (which the test client's requests share) holds no lock
    with db.engine.begin() as conn:
        pg = conn.dialect.name == "postgresql"
        if pg:
            conn.execute(text("ALTER TABLE log_leaves DISABLE TRIGGER log_leaves_append_only"))
        conn.execute(text(sql), params)
        if pg:
            conn.execute(text("ALTER TABLE log_leaves ENABLE TRIGGER log_leaves_append_only"))


def _published_with_follow_up():
    record = approved_record(current_plan(), directory_entities(1)[0], codes=["follow_up"], failed=["weijian"])
    publishing.publish([record])
    db.session.commit()
    return record


def test_every_batch_of_acts_gets_a_signed_head(app):
    _acts(3)
    _acts(2)
    assert [h.size for h in ledger.heads()] == [3, 5]
    db.session.rollback()
    ledger.record_act("test.act", "x", b"abc")
    db.session.rollback()  # a rolled-back act leaves neither a leaf nor a head
    assert ledger.size() == 5
    body = json.loads(ledger.leaf(0).body)
    assert body["kind"] == "test.act" and body["index"] == 0 and body["ref"] == "test:0" and body["at"]
    assert body["document_sha256"] == ledger.document_sha256({"n": 0})


def test_draw_acts_and_a_follow_up_closed_are_leaves(world):
    d = entity_draw(world.current)
    kinds = [leaf.kind for leaf in ledger.leaves_of(f"draw:{d.id}")]
    assert kinds == ["draw.prepared", "draw.executed"]
    prepared = json.loads(ledger.leaves_of(f"draw:{d.id}")[0].body)
    assert prepared["commitment"] == d.commitment and prepared["population_digest"] == d.population_digest
    assert "nonce" not in prepared and "seed" not in prepared
    record = _published_with_follow_up()
    task = db.session.scalar(select(FollowUpTask).where(FollowUpTask.record_id == record.id))
    followup.close(task, get_user("wj_admin"), "已整改，复查合格")
    db.session.commit()
    leaf = ledger.leaves_of(f"record:{record.token}")[-1]
    body = json.loads(leaf.body)
    assert leaf.kind == "followup.closed" and body["record"] == record.token and body["department"] == "weijian"
    assert body["document_sha256"] == ledger.document_sha256(followup.public_closure(task))
    assert "已整改" not in leaf.body  # the evidence itself is not public
    assert ledger.latest_head().size == ledger.size()


def test_a_published_results_inclusion_proof_verifies_from_its_public_page(world, client):
    confirm_all(entity_draw(world.current))
    record = _published_with_follow_up()
    leaves = ledger.leaves_of(f"record:{record.token}")
    assert leaves and {leaf.kind for leaf in leaves} >= {"result.published"}
    leaf = next(x for x in leaves if x.kind == "result.published")
    for page in (f"/v/{record.token}", f"/public/enterprise/{record.entity.uscc}"):
        assert f"/transparency/leaf/{leaf.index}" in client.get(page).get_data(as_text=True)
    html = client.get(f"/transparency/leaf/{leaf.index}").get_data(as_text=True)
    assert leaf.leaf_hash in html and "包含证明" in html
    heads = json.loads(client.get("/transparency/heads.json").get_data())["heads"]
    head = heads[-1]
    key = serialization.load_pem_public_key(client.get("/transparency/key.pem").get_data())
    key.verify(base64.b64decode(head["signature"]), logverify.head_message(head))
    proof = json.loads(client.get(f"/transparency/proof/inclusion?index={leaf.index}&size={head['size']}").get_data())
    got = json.loads(client.get(f"/transparency/leaves?start={leaf.index}&end={leaf.index + 1}").get_data())["leaves"][0]
    assert logverify.leaf_hash(got["body"].encode()).hex() == got["leaf_hash"] == proof["leaf_hash"]
    assert logverify.verify_inclusion(bytes.fromhex(proof["leaf_hash"]), leaf.index, head["size"],
                                      [bytes.fromhex(h) for h in proof["path"]], bytes.fromhex(head["root"]))
    assert json.loads(got["body"])["record"] == record.token


def test_endpoints_refuse_what_is_out_of_range(world, client):
    _acts(4)
    assert client.get("/transparency/leaves?start=0&end=10001").status_code == 400
    assert client.get("/transparency/leaves?start=2&end=9").status_code == 400
    assert client.get("/transparency/leaves?start=x").status_code == 400
    assert client.get("/transparency/proof/inclusion?index=4&size=4").status_code == 400
    assert client.get("/transparency/proof/consistency?old=3&new=2").status_code == 400
    assert json.loads(client.get("/transparency/proof/consistency?old=2&new=4").get_data())["proof"]
    html = client.get("/transparency/").get_data(as_text=True)
    assert "透明日志" in html and "BEGIN PUBLIC KEY" in html and "spotcheck verify-log" in html


def test_verify_log_over_http_and_from_an_export(world, client, runner, tmp_path):
    entity_draw(world.current)
    _acts(7)
    assert runner.invoke(args=["log-sign"]).exit_code == 0
    result = logverify.verify(logverify.Server(fetch_via(client)), report=lambda line: None)
    assert result["size"] == ledger.size()
    out = tmp_path / "log.jsonl"
    assert runner.invoke(args=["log-export", str(out)]).exit_code == 0
    verified = runner.invoke(args=["verify-log", str(out)])
    assert verified.exit_code == 0, verified.output
    assert "验证通过" in verified.output


@pytest.mark.parametrize("also_the_hash", [False, True])
def test_editing_one_leafs_body_by_sql_makes_verify_log_fail_and_name_it(world, client, runner, tmp_path,
                                                                          also_the_hash):
    _acts(5)
    _acts(6)
    victim = 7
    body = json.loads(ledger.leaf(victim).body)
    body["n"] = 999
    forged = ledger.canonical(body).decode()
    db.session.commit()
    if also_the_hash:
        _tamper('UPDATE log_leaves SET body = :b, leaf_hash = :h WHERE "index" = :i', b=forged, i=victim,
                h=logverify.leaf_hash(forged.encode()).hex())
    else:
        _tamper('UPDATE log_leaves SET body = :b WHERE "index" = :i', b=forged, i=victim)
    with pytest.raises(logverify.Problem) as caught:
        logverify.verify(logverify.Server(fetch_via(client)), report=lambda line: None)
    assert f"第 {victim} 号叶子" in str(caught.value)
    if also_the_hash:
        assert f"第 {victim - 1} 号或第 {victim} 号叶子被改动过" in str(caught.value)
    out = tmp_path / "log.jsonl"
    runner.invoke(args=["log-export", str(out)])
    result = runner.invoke(args=["verify-log", str(out)])
    assert result.exit_code == 1
    assert (f"第 {victim} 号叶子" if not also_the_hash else "第 5–10 号叶子") in result.output


def test_a_forked_history_is_caught_by_the_mirror(world, client, tmp_path):
    mirror_dir = str(tmp_path / "mirror")
    src = logverify.Server(fetch_via(client))
    quiet = {"report": lambda line: None}
    _acts(3)
    assert logmirror.mirror(src, mirror_dir, **quiet)["size"] == 3
    _acts(4)
    assert logmirror.mirror(src, mirror_dir, **quiet) == {"size": 7, "new": 4}
    assert logmirror.mirror(src, mirror_dir, **quiet)["new"] == 0
    # The operator rewrites history: the log emptied and rebuilt, leaf 2 different, signed with the same key.
    db.session.rollback()
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE log_leaves, log_nodes, log_heads"))
        else:
            for table in ("log_leaves", "log_nodes", "log_heads"):
                conn.execute(text(f"DELETE FROM {table}"))
    for i in range(9):
        ledger.record_act("test.act", f"test:{i}", {"n": i if i != 2 else "rewritten"}, n=i)
    db.session.commit()
    with pytest.raises(logverify.Alarm) as caught:
        logmirror.mirror(src, mirror_dir, **quiet)
    assert "历史被改写" in str(caught.value) and "size=7" in str(caught.value)
    assert (tmp_path / "mirror" / "alarm-9.json").exists()
    stored = json.loads((tmp_path / "mirror" / "heads.json").read_text())
    assert stored[-1]["size"] == 7  # the local copy is left as it was, the evidence kept


def test_log_mirror_command_exits_non_zero_on_an_alarm(world, tmp_path, monkeypatch, runner, client):
    monkeypatch.setattr(logverify, "http_fetch", lambda url: fetch_via(client))
    _acts(2)
    assert runner.invoke(args=["log-mirror", "http://log.example", str(tmp_path / "m")]).exit_code == 0
    (tmp_path / "m" / "key.pem").write_text("-----BEGIN PUBLIC KEY-----\nother\n-----END PUBLIC KEY-----\n")
    result = runner.invoke(args=["log-mirror", "http://log.example", str(tmp_path / "m")])
    assert result.exit_code == 3 and "公钥" in result.output


def test_log_sign_appends_the_audit_chains_head(world, runner):
    entity_draw(world.current)  # audited acts
    result = runner.invoke(args=["log-sign"])
    assert result.exit_code == 0, result.output
    leaf = ledger.leaf_of("audit")
    body = json.loads(leaf.body)
    from webapp.core import audit

    assert leaf.kind == "audit.head" and body["head"] == audit.tail()[1] and body["events"] >= 1
    assert ledger.latest_head().size == ledger.size()
