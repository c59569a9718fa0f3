"""The public record of an executed draw (the manifest of `spotcheck-hashrank-v1`, docs/draw-algorithm.md) and
its verification from the manifest alone: pure, no Flask.

`manifest()` builds it, `stream_json()` writes it piece by piece (a million-entity population never exists as
one JSON text), `verify()` recomputes every published value with the algorithm of `webapp.domain.draw`.
"""
import hashlib
import json
import re
from datetime import date
from itertools import islice

from webapp.domain import draw as algo


class Stream:
    """A JSON array written item by item by `stream_json`: a million-entity manifest never exists as one object.
    `canonical`, if given, yields the same items already in canonical JSON (bytes, comma-separated pieces): the
    compiled formats of a draw's population and selection, which `committed_sha256` then hashes as they are."""

    def __init__(self, items, canonical=None):
        self.items, self.canonical = items, canonical


def stream_json(obj, batch: int = 10_000, canonical: bool = False, raw: bool = False):
    """The compact JSON text of obj in pieces; every Stream inside becomes an array written `batch` items at a time.
    With `canonical`, the text is the canonical JSON of `committed_sha256` (keys sorted, no spaces); with `raw` too,
    a Stream's canonical pieces come as the UTF-8 bytes they are (str pieces between them), not decoded."""
    streams = []
    style = {"sort_keys": True, "separators": (",", ":")} if canonical else {}

    def mark(value):
        if isinstance(value, Stream):
            streams.append(value)
            return f"\x00stream{len(streams) - 1}\x00"
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")

    text = json.dumps(obj, ensure_ascii=False, default=mark, **style)
    # One encoder for all items; canonical text has "," between items as inside them, so a batch is encoded as one
    # array (its brackets cut off): the same bytes, without a Python call per item.
    encode = json.JSONEncoder(ensure_ascii=False, **style).encode
    parts = re.split(r'"\\u0000stream(\d+)\\u0000"', text)
    for i, part in enumerate(parts):
        if i % 2 == 0:
            yield part
            continue
        yield "["
        first = True
        stream = streams[int(part)]
        if canonical and stream.canonical is not None:
            for piece in stream.canonical:
                if piece:
                    if not first:
                        yield ","
                    yield piece if raw else piece.decode("utf-8")
                    first = False
            yield "]"
            continue
        for pending in _batches(stream.items, batch):
            text = encode(pending)[1:-1] if canonical else ",".join([encode(item) for item in pending])
            yield text if first else "," + text
            first = False
        yield "]"


def _batches(items, size: int):
    """Lists of up to `size` items of an iterable."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


# What the manifest's SHA-256, published at the execution, covers: everything but the departments' exclusions,
# which come after the draw (and are public as they are made).
LATER = ("exclusions",)


def committed_sha256(m: dict) -> str:
    """SHA-256 of the canonical JSON (keys sorted, no spaces, UTF-8) of the manifest without `LATER` keys. The
    manifest may hold Streams (it is then hashed piece by piece) or plain lists (as read from a file)."""
    h = hashlib.sha256()
    for piece in stream_json({k: v for k, v in m.items() if k not in LATER}, canonical=True, raw=True):
        h.update(piece if isinstance(piece, bytes) else piece.encode("utf-8"))  # hashlib lets other threads run
    return h.hexdigest()


# What was published at the ceremony and fixes the manifest: compared by `check_published`.
FIXED = ("population_digest", "commitment", "manifest_sha256")


def check_published(m: dict, published: dict) -> list[tuple[str, bool, str]]:
    """The revealed manifest against what was public on the day of the draw (the draw's public summary, or its
    transparency-log leaf): the population digest, the commitment and the manifest's SHA-256."""
    mine = {"population_digest": m.get("population_digest"), "commitment": m.get("commitment"),
            "manifest_sha256": committed_sha256(m)}
    names = {"population_digest": "与抽取时公布的总体摘要", "commitment": "与抽取时公布的承诺值",
             "manifest_sha256": "与执行时公布的清单 SHA-256"}
    checks = []
    for key in FIXED:
        if key not in published:
            continue
        ok = published[key] == mine[key]
        checks.append((names[key], ok, f"{mine[key]}" if ok else f"清单得 {mine[key]}，抽取时公布的是 {published[key]}"))
    if not checks:
        checks.append(("抽取时公布的值", False, "给出的文件中没有 population_digest、commitment 或 manifest_sha256"))
    return checks


def manifest(kind: str, plan: dict, population_pairs, digest: str, commitment_hex: str, nonce: str,
             witness: str, seed: str, params: dict, result: dict, stream: bool = False) -> dict:
    """The public, self-contained record of an executed draw (keys fixed by the issue; more may be added).
    With `stream`, the long lists are Stream objects for `stream_json`; otherwise plain lists. The population may
    be given as its canonical text, an entity draw's `result["selected"]` as an `algo.Selection`."""
    def wrap(items, canonical=None):
        return Stream(items, canonical) if stream else list(items)

    if isinstance(population_pairs, str):  # the canonical population text
        text = population_pairs
        population = wrap(({"uscc": u, "risk": r} for u, r in algo.iter_population(text)), algo.population_json(text))
    else:
        population = wrap({"uscc": u, "risk": r} for u, r in population_pairs)
    out = {
        "algorithm": algo.ALGORITHM,
        "kind": kind,
        "plan": plan,
        "population": population,
        "population_digest": digest,
        "ratios": params.get("ratios", {}),
        "floor": params.get("floor", 0),
        "commitment": commitment_hex,
        "nonce": nonce,
        "witness": witness or "",
        "seed": seed,
    }
    if params.get("visit_cap"):  # 无事不扰: who was left out of the population for the yearly cap, with their count
        out["visit_cap"] = params["visit_cap"]
    if kind == algo.ENTITIES:
        chosen = result["selected"]  # rows, or an algo.Selection
        out["selected"] = wrap(({"uscc": u, "risk": r, "score": s, "by": by} for u, r, s, by in chosen),
                               chosen.canonical_json() if isinstance(chosen, algo.Selection) else None)
        out["counts"] = result.get("counts", {})
        out["floor_minimum"] = result.get("floor_minimum")
    else:
        out["selected"] = wrap({"uscc": u, "risk": r, "score": s} for u, r, s in result["entities"])
        out["entities"] = wrap({"uscc": u, "risk": r, "score": s} for u, r, s in result["entities"])
        out["roster"] = params["roster"]
        out["conflicts"] = params["conflicts"]
        out["team_sizes"] = params["team_sizes"]
        out["lead_department"] = params["lead_department"]
        out["not_supervised"] = params.get("not_supervised", [])
        out["teams"] = result["teams"]
        out["leaders"] = result["leaders"]
    return out


def _pairs(manifest_: dict) -> list[tuple[str, str]]:
    return [(str(p["uscc"]), str(p["risk"])) for p in manifest_.get("population", [])]


def verify(m: dict) -> list[tuple[str, bool, str]]:
    """Recompute everything from the manifest alone: (item, ok, detail in Chinese) per check."""
    checks: list[tuple[str, bool, str]] = []

    def check(item, ok, good, bad):
        checks.append((item, bool(ok), good if ok else bad))
        return ok

    if not check("算法", m.get("algorithm") == algo.ALGORITHM, algo.ALGORITHM,
                 f"不认识的算法“{m.get('algorithm')}”，应为 {algo.ALGORITHM}"):
        return checks
    kind = m.get("kind")
    if not check("类型", kind in algo.KINDS, kind, f"类型“{kind}”应为 entities 或 inspectors"):
        return checks
    try:
        pairs = _pairs(m)
        digest = algo.population_digest(pairs)
    except (KeyError, TypeError, algo.DrawError) as e:
        check("抽取总体", False, "", f"总体名单无法读取：{e}")
        return checks
    check("抽取总体摘要", digest == m.get("population_digest"), f"{len(pairs)} 个对象，摘要 {digest}",
          f"按名单重新计算得 {digest}，清单写的是 {m.get('population_digest')}")
    try:
        committed = algo.commitment(m.get("nonce", ""))
        seed = algo.draw_seed(m["nonce"], m.get("witness", ""), digest)
    except (ValueError, TypeError, KeyError):
        check("随机数", False, "", "nonce 不是 64 位十六进制数")
        return checks
    check("承诺值", committed == m.get("commitment"), f"SHA-256(nonce) = {committed}",
          f"SHA-256(nonce) = {committed}，清单写的是 {m.get('commitment')}")
    check("随机种子", seed == m.get("seed"), f"SHA-256(nonce‖见证‖摘要) = {seed}",
          f"重新计算得 {seed}，清单写的是 {m.get('seed')}")
    if "visit_cap" in m:
        _check_visit_cap(m["visit_cap"], pairs, check)

    try:
        if kind == algo.ENTITIES:
            got = algo.select_entities(seed, pairs, m.get("ratios", {}), int(m.get("floor", 0)))
            want = [[s["uscc"], s["risk"], s["score"]] for s in m.get("selected", [])]
            mine = [row[:3] for row in got["selected"]]
            check("抽中对象", mine == want, f"{len(mine)} 个对象，名单、风险等级和得分全部一致",
                  _difference(mine, want))
        else:
            plan = m.get("plan", {})
            start, end = date.fromisoformat(plan["window_start"]), date.fromisoformat(plan["window_end"])
            conflicts = [(c["certificate"], c["uscc"]) for c in m.get("conflicts", [])]
            skip = [(x["uscc"], x["department"]) for x in m.get("not_supervised", [])]
            got = algo.match_teams(seed, pairs, m["roster"], conflicts, m["team_sizes"], m["lead_department"],
                              start, end, skip)
            want_entities = [[e["uscc"], e["risk"], e["score"]] for e in m.get("entities", [])]
            check("对象得分与顺序", got["entities"] == want_entities, f"{len(want_entities)} 个对象一致",
                  _difference(got["entities"], want_entities))
            want_sel = [[e["uscc"], e["risk"], e["score"]] for e in m.get("selected", [])]
            check("抽中对象", got["entities"] == want_sel, f"{len(want_sel)} 个对象一致",
                  _difference(got["entities"], want_sel))

            def norm(teams):
                return [(t["uscc"], t["department"], list(t["certificates"])) for t in teams]

            check("检查组", norm(got["teams"]) == norm(m.get("teams", [])),
                  f"{len(got['teams'])} 个部门检查组，人员和顺序全部一致", _difference(norm(got["teams"]), norm(m.get("teams", []))))
            if "leaders" in m:
                check("组长", got["leaders"] == m["leaders"], "每户的组长一致", "组长与重新计算的结果不同")
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        check("抽取结果", False, "", f"清单缺少或写错了字段：{e}")
    return checks


def _check_visit_cap(cap: dict, pairs, check) -> None:
    """无事不扰: an enterprise left out for the yearly cap is not in the population, and reached the cap."""
    try:
        limit = int(cap["cap"])
        left_out = {str(x["uscc"]): int(x["visits"]) for x in cap.get("excluded", [])}
    except (KeyError, TypeError, ValueError):
        check("无事不扰", False, "", "visit_cap 缺少 cap 或 excluded，或写错了字段")
        return
    drawn_anyway = sorted({u for u, _ in pairs} & set(left_out))
    under = sorted(u for u, n in left_out.items() if n < limit)
    detail = (f"每年至多 {limit} 次；{len(left_out)} 个已达上限的对象未进入抽取总体" if not drawn_anyway and not under
              else f"仍在总体中：{'、'.join(drawn_anyway[:5]) or '无'}；未达上限却被排除：{'、'.join(under[:5]) or '无'}")
    check("无事不扰", not drawn_anyway and not under, detail, detail)


def _difference(mine: list, theirs: list) -> str:
    if len(mine) != len(theirs):
        return f"重新计算得 {len(mine)} 条，清单有 {len(theirs)} 条"
    for i, (a, b) in enumerate(zip(mine, theirs)):
        if a != b:
            return f"第 {i + 1} 条不同：重新计算得 {a}，清单写的是 {b}"
    return "不一致"
