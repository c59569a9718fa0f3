"""The compiled entity draw (`_hashrank.rank` and its output formats) against the pure-Python path, and the
selection stored as rows: what the database holds, the manifest hashed at the execution and the verifier agree."""
import json
import random

import pytest
from sqlalchemy import select

from tests.factories import entity_draw
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain import manifest as published
from webapp.stages.draw import disclosure, selection
from webapp.stages.draw.models import DrawSelection

SEED = "5a" * 32


def population(n, seed=3, odd=()):
    rng = random.Random(seed)
    pairs = [(f"91130606{i:09d}{rng.choice('0123456789')}", rng.choice(algo.LEVELS)) for i in range(n)]
    return pairs + [(code, rng.choice(algo.LEVELS)) for code in odd]


def canonical(items) -> bytes:
    return ",".join(json.dumps(i, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for i in items).encode()


ODD = ['A"1', "B\\2", "C\r3", "D\x014", "E\x7f5", "F\x1f"]  # what JSON and COPY must escape (ASCII, no tab/LF)


@pytest.mark.parametrize("ratios,floor", [
    ({"high": 100, "higher": 80, "general": 50, "low": 20}, 5),
    ({"high": 100, "higher": 30, "general": 7, "low": 3}, 20),  # the floor tops up from every level
    ({"high": 0, "higher": 0, "general": 0, "low": 0}, 100),
    ({"high": 100, "higher": 100, "general": 100, "low": 100}, 0),
    ({"high": 1, "low": 2}, 0),
])
def test_compiled_rank_is_the_python_path(monkeypatch, ratios, floor):
    text = algo.population_text(population(3000, odd=ODD))
    compiled, chosen = algo.rank_entities(SEED, text, ratios, floor)
    monkeypatch.setattr(algo, "COMPILED", False)
    python, listed = algo.rank_entities(SEED, text, ratios, floor)
    assert compiled == python and chosen.rows() == listed.rows() == list(chosen)
    assert b",".join(chosen.canonical_json(size=97)) == b",".join(listed.canonical_json()) == canonical(
        {"uscc": u, "risk": r, "score": s, "by": by} for u, r, s, by in listed.rows())
    assert b"".join(chosen.copy_text("7\t", size=50)) == b"".join(listed.copy_text("7\t"))
    assert b",".join(algo.population_json(text)) == canonical(
        {"uscc": u, "risk": r} for u, r in algo.iter_population(text))
    assert all(row[2] == algo.entity_score(SEED, row[0]) for row in chosen.rows())


def test_copy_text_escapes_what_postgresql_would_read_otherwise():
    text = algo.population_text([("B\\2", "high"), ("C\r3", "high")])
    _, chosen = algo.rank_entities(SEED, text, {"high": 100}, 0)
    lines = b"".join(chosen.copy_text("1\t")).decode().splitlines()
    assert sorted(line.split("\t")[3] for line in lines) == ["B\\\\2", "C\\r3"]


def test_a_malformed_population_text_is_refused():
    with pytest.raises(ValueError):
        algo.rank_entities(SEED, "A1\tmedium\n", {"high": 100}, 0)
    with pytest.raises(ValueError):
        algo.rank_entities(SEED, "A1\thigh", {"high": 100}, 0)


def test_the_stored_rows_the_manifest_and_the_verifier_agree(world):
    d = entity_draw(world.current)
    rows = db.session.execute(select(DrawSelection.rank, DrawSelection.uscc, DrawSelection.risk, DrawSelection.by)
                              .where(DrawSelection.draw_id == d.id).order_by(DrawSelection.rank)).all()
    want = algo.select_entities(d.seed, d.population, d.params["ratios"], d.params["floor"])
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    assert [[r.uscc, r.risk, r.by] for r in rows] == [[u, r, by] for u, r, _, by in want["selected"]]
    # the score is not stored: read back, it is recomputed from the seed, whole or by rank range
    assert [list(r) for r in selection.rows(d.id)] == want["selected"] == d.result["selected"]
    assert [list(r) for r in selection.rows(d.id, limit=3)] == want["selected"][:3]
    assert [row for batch in selection.batches(d.id, size=2) for row in batch] == selection.rows(d.id)
    assert selection.count(d.id) == d.outcome["drawn"] == len(rows)
    assert disclosure.drawn_by_level(d) == selection.by_level(d.id)
    # hashed at the execution from the compiled selection in memory; here from the rows read back
    m = disclosure.manifest(d, stream=True)
    assert d.manifest_sha256 == published.committed_sha256(m)
    full = json.loads("".join(disclosure.manifest_chunks(d)))
    assert all(ok for _, ok, _ in published.verify(full))
    assert selection.contains(d.id, rows[0].uscc) and not selection.contains(d.id, "不在名单")


def test_a_large_frozen_population_is_read_on_a_connection_of_its_own(world):
    """The execution reads a large population on its own connection (PostgreSQL: closed at once, so that no pooled
    connection keeps a buffer of its size): the same text as the session reads."""
    from webapp.stages.draw import ceremony

    d = entity_draw(world.current)
    text = d.population
    db.session.expire(d)
    assert "population" not in d.__dict__
    assert ceremony.frozen_population(d, large=0) == text and d.population == text
    assert ceremony.frozen_population(d, large=0) is d.population  # loaded now: not read again


def test_the_freeze_sorts_copied_lines_as_the_canonical_text_does():
    from webapp.domain._hashrank import canonical_lines

    pairs = population(2000, seed=5) + [("9113", "low"), ("91130", "high"), ("A\x01B", "general")]
    shuffled = sorted(pairs, key=lambda p: algo.entity_score(SEED, p[0]))
    lines = "".join(f"{u}\t{r}\n" for u, r in shuffled).encode()
    assert canonical_lines(lines).decode() == algo.population_text(pairs)
    for escaped in (b"A\\\\1\thigh\n", b"A\\r\thigh\n", "统一\thigh\n".encode(), b"A\tmedium\n", b"\thigh\n", b"A\thigh"):
        assert canonical_lines(escaped) is None  # the database sorts and checks these
    assert canonical_lines(b"") == b""


def test_the_frozen_population_is_the_eligible_directory_in_canonical_order(world):
    from webapp.stages.draw import ceremony

    d = ceremony.prepare(world.current, algo.ENTITIES)
    assert d.population == algo.population_text(ceremony.eligible_population(world.current))
