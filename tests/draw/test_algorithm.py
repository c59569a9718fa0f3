"""spotcheck-hashrank-v1 as pure functions: digest, commitment, seed, ratios, rounding, floor, matching."""
import copy
import hashlib
import random
from collections import Counter
from datetime import date

import pytest

from webapp.domain import draw as algo

NONCE = "00" * 31 + "01"
START, END = date(2026, 6, 1), date(2026, 8, 31)


def population(n, seed=1, levels=algo.LEVELS):
    rng = random.Random(seed)
    return [(f"91130606{i:09d}{rng.choice('0123456789')}", rng.choice(levels)) for i in range(n)]


def test_digest_is_sha256_of_sorted_tab_separated_lines():
    pairs = [("B2", "low"), ("A1", "high")]
    assert algo.population_text(pairs) == "A1\thigh\nB2\tlow\n"
    assert algo.population_digest(pairs) == hashlib.sha256(b"A1\thigh\nB2\tlow\n").hexdigest()
    assert algo.population_digest(list(reversed(pairs))) == algo.population_digest(pairs)


def test_bad_population_is_refused_in_chinese():
    with pytest.raises(algo.DrawError, match="风险等级"):
        algo.population_digest([("A1", "medium")])
    with pytest.raises(algo.DrawError, match="重复"):
        algo.population_digest([("A1", "low"), ("A1", "high")])
    with pytest.raises(algo.DrawError, match="ASCII"):
        algo.population_digest([("甲1", "low")])


def test_commitment_and_seed_follow_the_published_formulas():
    digest = algo.population_digest([("A1", "high")])
    assert algo.commitment(NONCE) == hashlib.sha256(bytes.fromhex(NONCE)).hexdigest()
    want = hashlib.sha256(bytes.fromhex(NONCE) + "见证 42".encode() + digest.encode()).hexdigest()
    assert algo.draw_seed(NONCE, "见证 42", digest) == want
    assert algo.draw_seed(NONCE, "", digest) != want


def test_ratios_round_up_per_level_and_pick_lowest_scores():
    pairs = [(f"U{i:03d}", "general") for i in range(7)] + [(f"H{i:03d}", "high") for i in range(3)]
    seed = algo.draw_seed(NONCE, "", algo.population_digest(pairs))
    result = algo.select_entities(seed, pairs, {"high": 100, "higher": 80, "general": 50, "low": 20}, 0)
    assert result["counts"]["general"]["drawn"] == 4  # ceil(7 × 50 / 100) = ceil(3.5)
    assert result["counts"]["high"]["drawn"] == 3
    general = sorted(u for u, _ in pairs if u.startswith("U"))
    by_score = sorted(general, key=lambda u: algo.entity_score(seed, u))
    picked = [row[0] for row in result["selected"] if row[1] == "general"]
    assert sorted(picked) == sorted(by_score[:4])
    scores = [row[2] for row in result["selected"]]
    assert scores == sorted(scores)
    assert all(row[2] == algo.entity_score(seed, row[0]) for row in result["selected"])


def test_rounding_is_integer_arithmetic():
    assert algo.ceil_percent(1, 1) == 1
    assert algo.ceil_percent(100, 7) == 7
    assert algo.ceil_percent(101, 7) == 8
    assert algo.ceil_percent(0, 50) == 0
    assert algo.ceil_percent(3, 0) == 0


def test_floor_tops_up_from_any_level_with_lowest_scores():
    pairs = population(200, levels=("general", "low"))
    seed = algo.draw_seed(NONCE, "w", algo.population_digest(pairs))
    ratios = {"high": 0, "higher": 0, "general": 1, "low": 1}
    result = algo.select_entities(seed, pairs, ratios, 10)
    assert result["floor_minimum"] == 20
    assert len(result["selected"]) == 20
    by_ratio = [r for r in result["selected"] if r[3] == "ratio"]
    sizes = Counter(r for _, r in pairs)
    assert len(by_ratio) == sum(-(-sizes[lvl] // 100) for lvl in ("general", "low"))  # ceil(N·1%) per level
    unselected = {u for u, _ in pairs} - {r[0] for r in by_ratio}
    best = sorted(unselected, key=lambda u: algo.entity_score(seed, u))[:20 - len(by_ratio)]
    assert sorted(r[0] for r in result["selected"] if r[3] == "floor") == sorted(best)


def test_floor_already_met_adds_nothing():
    pairs = population(100)
    seed = algo.draw_seed(NONCE, "", algo.population_digest(pairs))
    result = algo.select_entities(seed, pairs, {"high": 100, "higher": 80, "general": 50, "low": 20}, 5)
    assert result["floor_added"] == 0


def test_same_input_in_any_order_gives_the_same_result():
    pairs = population(300)
    shuffled = pairs[:]
    random.Random(9).shuffle(shuffled)
    seed = algo.draw_seed(NONCE, "", algo.population_digest(pairs))
    assert algo.population_digest(shuffled) == algo.population_digest(pairs)
    ratios = {"high": 100, "higher": 80, "general": 50, "low": 20}
    assert algo.select_entities(seed, pairs, ratios, 5) == algo.select_entities(seed, shuffled, ratios, 5)


def roster(counts, **extra):
    out = []
    for dept, n in counts.items():
        for i in range(n):
            out.append({"certificate": f"{dept.upper()}{i:03d}", "department": dept, "valid_from": "2020-01-01",
                        "valid_to": "2030-12-31", "active": True, **extra})
    return out


def test_matching_is_balanced_within_each_department():
    pairs = population(101)
    seed = algo.draw_seed(NONCE, "", algo.population_digest(pairs))
    result = algo.match_teams(seed, pairs, roster({"jt": 7, "rs": 4}), [], {"jt": 2, "rs": 1}, "jt", START, END)
    loads = Counter(c for t in result["teams"] for c in t["certificates"])
    for dept, n in (("jt", 7), ("rs", 4)):
        values = [loads[f"{dept.upper()}{i:03d}"] for i in range(n)]
        assert max(values) - min(values) <= 1
    assert all(len(t["certificates"]) == (2 if t["department"] == "jt" else 1) for t in result["teams"])
    # The lead department's first pick leads every team.
    for t in result["teams"]:
        if t["department"] == "jt":
            assert result["leaders"][t["uscc"]] == t["certificates"][0]


def test_matching_ranks_by_load_then_inspector_score():
    pairs = population(1)
    seed = algo.draw_seed(NONCE, "", algo.population_digest(pairs))
    people = roster({"jt": 5})
    result = algo.match_teams(seed, pairs, people, [], {"jt": 2}, "jt", START, END)
    uscc = pairs[0][0]
    ranked = sorted((p["certificate"] for p in people), key=lambda c: algo.inspector_score(seed, uscc, c))
    assert result["teams"][0]["certificates"] == ranked[:2]


def test_conflicts_validity_and_leave_are_honoured():
    pairs = population(60)
    seed = algo.draw_seed(NONCE, "", algo.population_digest(pairs))
    people = roster({"jt": 6})
    people[0]["active"] = False                     # on leave
    people[1]["valid_to"] = "2026-08-30"            # expires inside the window
    people[2]["valid_from"] = "2026-06-02"          # starts inside the window
    people[3]["valid_to"] = None                    # no validity recorded
    conflicts = [("JT004", u) for u, _ in pairs[:30]]
    result = algo.match_teams(seed, pairs, people, conflicts, {"jt": 1}, "jt", START, END)
    used = Counter(c for t in result["teams"] for c in t["certificates"])
    assert set(used) <= {"JT004", "JT005"}
    blocked = {u for _, u in conflicts}
    assert not any("JT004" in t["certificates"] and t["uscc"] in blocked for t in result["teams"])


def test_too_few_candidates_flag_the_team_short_never_silently_smaller():
    pairs = population(3)
    seed = algo.draw_seed(NONCE, "", algo.population_digest(pairs))
    conflicts = [("JT000", pairs[0][0])]
    result = algo.match_teams(seed, pairs, roster({"jt": 2}), conflicts, {"jt": 2}, "jt", START, END)
    team = next(t for t in result["teams"] if t["uscc"] == pairs[0][0])
    assert team["certificates"] == ["JT001"] and team["short"] == 1
    assert all(t["short"] == 0 for t in result["teams"] if t["uscc"] != pairs[0][0])


def test_not_supervised_department_has_no_team_there():
    pairs = population(4)
    seed = algo.draw_seed(NONCE, "", algo.population_digest(pairs))
    result = algo.match_teams(seed, pairs, roster({"jt": 3, "rs": 3}), [], {"jt": 1, "rs": 1}, "rs", START, END,
                              [(pairs[0][0], "rs")])
    depts = {t["department"] for t in result["teams"] if t["uscc"] == pairs[0][0]}
    assert depts == {"jt"}
    lead = next(t for t in result["teams"] if t["uscc"] == pairs[0][0])
    assert result["leaders"][pairs[0][0]] == lead["certificates"][0]


def entity_manifest(n=120):
    pairs = population(n)
    digest = algo.population_digest(pairs)
    seed = algo.draw_seed(NONCE, "12 34", digest)
    params = {"ratios": {"high": 100, "higher": 80, "general": 50, "low": 20}, "floor": 5}
    result = algo.select_entities(seed, pairs, params["ratios"], params["floor"])
    plan = {"id": 1, "window_start": START.isoformat(), "window_end": END.isoformat()}
    return algo.manifest("entities", plan, sorted(pairs), digest, algo.commitment(NONCE), NONCE, "12 34", seed,
                         params, result)


def inspector_manifest():
    pairs = population(40)
    digest = algo.population_digest(pairs)
    seed = algo.draw_seed(NONCE, "", digest)
    params = {"roster": roster({"jt": 5, "rs": 3}), "conflicts": [{"certificate": "JT000", "uscc": pairs[0][0]}],
              "team_sizes": {"jt": 2, "rs": 1}, "lead_department": "jt", "not_supervised": []}
    result = algo.match_teams(seed, pairs, params["roster"], [("JT000", pairs[0][0])], params["team_sizes"], "jt",
                              START, END)
    plan = {"id": 1, "window_start": START.isoformat(), "window_end": END.isoformat()}
    return algo.manifest("inspectors", plan, sorted(pairs), digest, algo.commitment(NONCE), NONCE, "", seed,
                         params, result)


@pytest.mark.parametrize("make", [entity_manifest, inspector_manifest])
def test_verify_accepts_an_honest_manifest(make):
    checks = algo.verify(make())
    assert checks and all(ok for _, ok, _ in checks), checks


def failed(m):
    return [item for item, ok, _ in algo.verify(m) if not ok]


def test_verify_catches_one_changed_seed_character():
    m = entity_manifest()
    m["seed"] = ("1" if m["seed"][0] != "1" else "2") + m["seed"][1:]
    assert failed(m) == ["随机种子"]


def test_verify_catches_one_added_entity():
    m = entity_manifest()
    m["population"].append({"uscc": "91130606999999999X", "risk": "high"})
    assert "抽取总体摘要" in failed(m)


def test_verify_catches_one_swapped_result():
    m = entity_manifest()
    chosen = {s["uscc"] for s in m["selected"]}
    outsider = next(p for p in m["population"] if p["uscc"] not in chosen and p["risk"] == m["selected"][0]["risk"])
    m["selected"][0] = {**m["selected"][0], "uscc": outsider["uscc"]}
    assert failed(m) == ["抽中对象"]


def test_verify_catches_a_changed_team():
    m = inspector_manifest()
    t = m["teams"][0]
    t["certificates"] = list(reversed(t["certificates"]))
    assert "检查组" in failed(m)


def test_verify_catches_a_wrong_nonce_and_unknown_algorithm():
    m = entity_manifest()
    bad = copy.deepcopy(m)
    bad["nonce"] = "00" * 32
    assert "承诺值" in failed(bad)
    bad = copy.deepcopy(m)
    bad["algorithm"] = "other"
    assert failed(bad) == ["算法"]


def test_parallel_matching_gives_the_same_result():
    pairs = population(80)
    seed = algo.draw_seed(NONCE, "", algo.population_digest(pairs))
    args = (seed, pairs, roster({"jt": 6, "rs": 4, "wj": 3}), [("JT001", pairs[5][0])], {"jt": 2, "rs": 1, "wj": 1},
            "jt", START, END, [(pairs[7][0], "wj")])
    assert algo.match_teams(*args, workers=2) == algo.match_teams(*args)


def test_selection_from_the_canonical_text_equals_selection_from_pairs():
    pairs = population(500)
    text = algo.population_text(pairs)
    seed = algo.draw_seed(NONCE, "", algo.digest_text(text))
    ratios = {"high": 100, "higher": 80, "general": 50, "low": 20}
    assert algo.select_entities(seed, text, ratios, 5) == algo.select_entities(seed, pairs, ratios, 5)
    assert algo.parse_population(text) == sorted(pairs)


def test_the_worked_example_in_the_documentation_is_what_the_code_computes():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "draw-algorithm.md").read_text(encoding="utf-8")
    pairs = [("52130606MA0000002N", "general"), ("52130606MA0000004W", "general"), ("91130606MA0000001J", "high"),
             ("91130606MA0000003Q", "general"), ("91130606MA0000005Y", "low")]
    nonce = bytes(range(1, 33)).hex()
    digest = algo.population_digest(pairs)
    seed = algo.draw_seed(nonce, "07 19 23", digest)
    for value in (digest, nonce, algo.commitment(nonce), seed):
        assert value in doc
    result = algo.select_entities(seed, pairs, {"high": 100, "higher": 80, "general": 20, "low": 20}, 80)
    assert [(u[-2:], by) for u, _, _, by in result["selected"]] == [
        ("3Q", "ratio"), ("2N", "floor"), ("5Y", "ratio"), ("1J", "ratio")]
    assert all(score in doc for _, _, score, _ in result["selected"])

    confirmed = [(u, r) for u, r, _, _ in result["selected"]]
    nonce2 = bytes(range(33, 65)).hex()
    seed2 = algo.draw_seed(nonce2, "", algo.population_digest(confirmed))
    assert seed2 in doc and algo.population_digest(confirmed) in doc and algo.commitment(nonce2) in doc
    people = [{"certificate": f"13060601000{i}", "department": "jiaoti", "valid_from": "2021-01-01",
               "valid_to": "2028-12-31", "active": True} for i in (1, 2, 3)]
    people += [{"certificate": "130606020004", "department": "renshe", "valid_from": "2021-01-01",
                "valid_to": "2028-12-31", "active": True},
               {"certificate": "130606020005", "department": "renshe", "valid_from": "2021-01-01",
                "valid_to": "2026-12-31", "active": True}]
    teams = algo.match_teams(seed2, confirmed, people, [("130606010002", "91130606MA0000003Q")],
                             {"jiaoti": 2, "renshe": 1}, "jiaoti", date(2027, 3, 1), date(2027, 5, 31))
    jiaoti = [(t["uscc"][-2:], [c[-2:] for c in t["certificates"]]) for t in teams["teams"] if t["department"] == "jiaoti"]
    assert jiaoti == [("1J", ["02", "03"]), ("3Q", ["01", "03"]), ("5Y", ["01", "02"]), ("2N", ["02", "01"])]
    assert all(t["certificates"] == ["130606020004"] for t in teams["teams"] if t["department"] == "renshe")


@pytest.mark.parametrize("make", [entity_manifest, inspector_manifest])
def test_streamed_manifest_is_the_same_json(make):
    import json

    m = make()
    streamed = {k: (algo.Stream(v) if isinstance(v, list) and k in ("population", "selected", "entities") else v)
                for k, v in m.items()}
    text = "".join(algo.stream_json(streamed, batch=7))
    assert json.loads(text) == m
    assert "".join(algo.stream_json({"a": algo.Stream([])})) == '{"a": []}'


def test_the_ranking_loops_are_compiled():
    # hatch_build.py compiles webapp/domain/_hashrank.c at install; without it the matching misses its figure.
    assert algo.COMPILED, "webapp/domain/_hashrank.c is not built: install gcc and libssl-dev, then pip install -e ."


def test_without_the_compiled_module_the_draw_and_its_outputs_are_the_same(monkeypatch):
    """Where no compiler was at hand (hatch_build.py skips the module), the pure-Python path gives the same
    selection, manifest pieces and COPY rows; none of them names the compiled functions."""
    rng = random.Random(5)
    text = "".join(f"91130606{rng.randrange(10**9):09d}X\t{rng.choice(algo.LEVELS)}\n" for _ in range(3000))
    ratios = {level: 3 + 2 * i for i, level in enumerate(algo.LEVELS)}

    def outputs():
        summary, selection = algo.rank_entities("ab" * 32, text, ratios, 5)
        return (summary, selection.rows(), b"".join(selection.canonical_json(size=97)),
                b"".join(selection.copy_text("7\t", size=97)), b"".join(algo.population_json(text, size=97)))

    compiled = outputs()
    monkeypatch.setattr(algo, "COMPILED", False)
    for name in ("chosen_json", "chosen_copy", "chosen_rows", "rank", "RECORD", "population_pieces"):
        monkeypatch.delattr(algo, name)
    assert outputs() == compiled


@pytest.mark.parametrize("prefix_length", [0, 1, 55, 59, 63, 64, 65, 200])
def test_compiled_ranking_equals_hashlib(prefix_length):
    from webapp.domain import _hashrank

    rng = random.Random(prefix_length)
    prefix = rng.randbytes(prefix_length)
    # Items of every length around the SHA-256 block and padding boundaries, some empty.
    items = [rng.randbytes(rng.choice([0, 1, 5, 8, 9, 55, 56, 64, 70, 130])) for _ in range(300)]
    items = list(dict.fromkeys(items))
    assert _hashrank.keyed(prefix, items) == algo.keyed_py(prefix, items)
    assert _hashrank.keyed(prefix, items)[3] == hashlib.sha256(prefix + items[3]).digest() + items[3]
    for k in (0, 1, 2, 3, 16, 17, 150, len(items), len(items) + 5):
        assert _hashrank.lowest(prefix, items, k) == algo.lowest_py(prefix, items, k)
    assert _hashrank.lowest(prefix, set(items[:40]), 5) == algo.lowest_py(prefix, items[:40], 5)
    assert _hashrank.lowest(prefix, [], 3) == [] and _hashrank.keyed(prefix, []) == []
    with pytest.raises(TypeError):
        _hashrank.lowest(prefix, [b"ok", "not bytes"], 1)
    with pytest.raises(TypeError):
        _hashrank.keyed(prefix, [b"ok", 7])
    with pytest.raises(ValueError):
        _hashrank.lowest(prefix, items, -1)


def test_whole_draws_are_the_same_on_the_compiled_and_the_python_path(monkeypatch):
    pairs = population(400, seed=7)
    seed = algo.draw_seed(NONCE, "见证 123", algo.population_digest(pairs))
    ratios = {"high": 100, "higher": 30, "general": 7, "low": 3}
    people = roster({"jt": 23, "rs": 11, "wj": 5})
    conflicts = [("JT003", pairs[i][0]) for i in range(0, 400, 9)] + [("RS001", pairs[2][0])]
    args = (seed, pairs, people, conflicts, {"jt": 2, "rs": 1, "wj": 3}, "rs", START, END, [(pairs[4][0], "wj")])
    compiled = algo.select_entities(seed, pairs, ratios, 20), algo.match_teams(*args, workers=2)
    monkeypatch.setattr(algo, "keyed", algo.keyed_py)
    monkeypatch.setattr(algo, "lowest", algo.lowest_py)
    assert (algo.select_entities(seed, pairs, ratios, 20), algo.match_teams(*args)) == compiled
