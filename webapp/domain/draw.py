"""The double random draw, algorithm `spotcheck-hashrank-v1` (docs/draw-algorithm.md): pure, no Flask.

Everything here is a function of public data plus a nonce that is committed to before the draw and revealed
after it, so that anyone holding a manifest can recompute the result with `verify(manifest)` (in
webapp/domain/manifest.py, with the manifest itself) or their own code.

Hashes, nonces and seeds travel as lowercase hex strings; comparing raw digests sorts exactly as comparing
their hex strings, so the hot loops keep raw bytes and convert to hex only for what is published.
"""
import gc
import hashlib
import heapq
import io
import json
import secrets
from collections import Counter
from datetime import date

from webapp.domain.refusal import Refused

ALGORITHM = "spotcheck-hashrank-v1"
LEVELS = ("high", "higher", "general", "low")
ENTITIES, INSPECTORS = "entities", "inspectors"
KINDS = (ENTITIES, INSPECTORS)


class DrawError(Refused):
    """Input the algorithm cannot accept; the message is in Chinese for the user."""

    status = 422


# --- population -------------------------------------------------------------------------------------------

def population_text(population) -> str:
    """The canonical text the digest covers: `USCC<TAB>risk<LF>` per entity, sorted by USCC."""
    rows = sorted(population)
    seen = None
    for uscc, risk in rows:
        if not uscc or not uscc.isascii() or "\t" in uscc or "\n" in uscc:
            raise DrawError(f"统一社会信用代码“{uscc}”含有非 ASCII 字符或空白，无法参与抽取。")
        if risk not in LEVELS:
            raise DrawError(f"“{uscc}”的风险等级“{risk}”不是 {'、'.join(LEVELS)} 之一。")
        if uscc == seen:
            raise DrawError(f"统一社会信用代码“{uscc}”重复。")
        seen = uscc
    return "".join(f"{uscc}\t{risk}\n" for uscc, risk in rows)


def parse_population(text: str) -> list[tuple[str, str]]:
    """The (uscc, risk) pairs of a canonical population text, in its (USCC) order."""
    return list(iter_population(text))


def iter_population(text: str):
    """The (uscc, risk) pairs one by one: a million-line population never exists as a list of lines."""
    for line in io.StringIO(text):
        uscc, _, risk = line.rstrip("\n").partition("\t")
        yield uscc, risk


def digest_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def population_digest(population) -> str:
    """SHA-256 (hex) of the canonical population text."""
    return digest_text(population_text(population))


# --- ceremony ---------------------------------------------------------------------------------------------

def new_nonce() -> str:
    """32 random bytes from the operating system, as hex; kept secret until the draw is executed."""
    return secrets.token_hex(32)


def commitment(nonce_hex: str) -> str:
    return hashlib.sha256(bytes.fromhex(nonce_hex)).hexdigest()


def draw_seed(nonce_hex: str, witness: str, digest_hex: str) -> str:
    """seed = SHA-256(nonce_bytes || witness_utf8 || population_digest_ascii)."""
    data = bytes.fromhex(nonce_hex) + (witness or "").encode("utf-8") + digest_hex.encode("ascii")
    return hashlib.sha256(data).hexdigest()


def ceil_percent(n: int, percent: int) -> int:
    """ceil(n·percent/100) in integer arithmetic."""
    return -(-n * percent // 100)


# --- the two hashing loops: compiled where possible, the same results in Python -------------------------

def keyed_py(prefix: bytes, items) -> list[bytes]:
    """[SHA-256(prefix || item) + item for item in items]."""
    sha = hashlib.sha256
    return [sha(prefix + item).digest() + item for item in items]


def lowest_py(prefix: bytes, items, k: int) -> list[bytes]:
    """The k items with the smallest SHA-256(prefix || item), ascending (ties, which would take a SHA-256
    collision, in the order of the items)."""
    sha = hashlib.sha256
    return heapq.nsmallest(k, items, key=lambda item: sha(prefix + item).digest())


try:  # webapp/domain/_hashrank.c, built at install (hatch_build.py): OpenSSL's SHA-256 without the interpreter,
    # and the entity draw's single pass over the population text with its output formats
    from webapp.domain._hashrank import RECORD, chosen_copy, chosen_json, chosen_rows, keyed, lowest, rank
    from webapp.domain._hashrank import population_json as population_pieces
    COMPILED = True
except ImportError:  # no compiler where it was installed: same results, about four times slower
    keyed, lowest = keyed_py, lowest_py
    COMPILED = False


# --- entity draw ------------------------------------------------------------------------------------------

def _scored(seed_hex: str, pairs) -> dict[str, list[bytes]]:
    """Per risk level, one key per entity: raw score || uscc_ascii, where score = SHA-256(seed_bytes || b"entity"
    || uscc_ascii). Plain bytes sort by (score, uscc) with memcmp: five times faster than tuples, half the memory.
    `pairs` may be the canonical population text, split in C without a list of a million lines or tuples."""
    if isinstance(pairs, str):
        flat = pairs.encode("ascii").replace(b"\n", b"\t").split(b"\t")
        codes, risks = flat[0:-1:2], flat[1::2]
        del flat
        names = {level.encode(): level for level in LEVELS}
    else:
        codes = [uscc.encode("ascii") for uscc, _ in pairs]
        risks = [risk for _, risk in pairs]
        names = {level: level for level in LEVELS}
    keys = keyed(bytes.fromhex(seed_hex) + b"entity", codes)
    del codes, pairs  # the split text goes before the caller builds its result
    levels = {level: [] for level in LEVELS}
    append = {code: levels[level].append for code, level in names.items()}
    for key, risk in zip(keys, risks):
        append[risk](key)
    return levels


class _NoGC:
    """Millions of new objects would trigger the cyclic collector again and again; none of them form cycles."""

    def __enter__(self):
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


def entity_score(seed_hex: str, uscc: str) -> str:
    return hashlib.sha256(bytes.fromhex(seed_hex) + b"entity" + uscc.encode("ascii")).hexdigest()


def _lowest(keys: list[bytes], k: int) -> list[bytes]:
    if k >= len(keys):
        return keys
    if k <= len(keys) // 16:
        return heapq.nsmallest(k, keys)
    keys.sort()
    return keys[:k]


def select_entities(seed_hex: str, pairs, ratios: dict, floor: int) -> dict:
    """Per level the ceil(N·p/100) lowest scores, then a top-up to ceil(N_all·floor/100) from any level.

    Returns {"counts": {level: {"population", "ratio", "drawn"}}, "floor_minimum", "floor_added",
    "selected": [[uscc, risk, score_hex, "ratio"|"floor"], …] in ascending score}. `pairs` may also be the
    canonical population text.
    """
    summary, selection = rank_entities(seed_hex, pairs, ratios, floor)
    return dict(summary, selected=[list(row) for row in selection.rows()])


def rank_entities(seed_hex: str, population, ratios: dict, floor: int) -> tuple[dict, "Selection"]:
    """`select_entities` without building the result: (the summary, the Selection). Compiled, one pass over the
    canonical text keeps one 56-byte record per entity that may still be chosen, nothing per entity of the
    population; `population` may also be (uscc, risk) pairs."""
    text = population if isinstance(population, str) else "".join(f"{u}\t{r}\n" for u, r in population)
    percents = [int(ratios.get(level, 0)) for level in LEVELS]
    if COMPILED:
        sizes, drawn, chosen, minimum, added, packed = rank(bytes.fromhex(seed_hex) + b"entity", text, percents,
                                                            int(floor))
        selection = Selection(text, packed=packed)
    else:
        with _NoGC():
            sizes, drawn, minimum, added, rows = _select(seed_hex, text, percents, int(floor))
        selection = Selection(text, rows=rows)
        tally = Counter(risk for _, risk, _, _ in rows)
        chosen = [tally[level] for level in LEVELS]
    counts = {level: {"population": n, "ratio": p, "drawn": k}
              for level, n, p, k in zip(LEVELS, sizes, percents, drawn)}
    return {"counts": counts, "population": sum(sizes), "floor_minimum": minimum, "floor_added": added,
            "drawn": len(selection), "drawn_by_level": dict(sorted((level, n) for level, n in zip(LEVELS, chosen) if n))}, selection


def _select(seed_hex: str, text: str, percents: list[int], floor: int):
    """The pure-Python path of `rank`: the same decisions, every entity scored in memory."""
    levels = _scored(seed_hex, text)
    # Each chosen entity is one bytes object: key || level index || 0 (ratio) or 1 (floor), sorted by memcmp.
    chosen: list[bytes] = []
    drawn = []
    for index, level in enumerate(LEVELS):
        items = levels[level]
        k = min(len(items), max(0, ceil_percent(len(items), percents[index])))
        tag = bytes((index, 0))
        chosen.extend(key + tag for key in _lowest(items, k))
        drawn.append(k)
    sizes = [len(levels[level]) for level in LEVELS]
    minimum = ceil_percent(sum(sizes), floor)
    added = 0
    if len(chosen) < minimum:
        taken = {c[:-2] for c in chosen}
        rest = [key + bytes((index, 1)) for index, level in enumerate(LEVELS) for key in levels[level]
                if key not in taken]
        extra = heapq.nsmallest(minimum - len(chosen), rest)
        chosen.extend(extra)
        added = len(extra)
    del levels
    chosen.sort()
    by = ("ratio", "floor")
    rows = [(c[32:-2].decode("ascii"), LEVELS[c[-2]], c[:32].hex(), by[c[-1]]) for c in chosen]
    return sizes, drawn, minimum, added, rows


class Selection:
    """The chosen entities of an entity draw in ascending score, as (uscc, risk, score_hex, "ratio"|"floor") rows:
    packed by the compiled `rank` (pointing into the population text, which it keeps) or a list of rows."""

    def __init__(self, text: str, packed: bytes | None = None, rows: list | None = None):
        self.text, self.packed, self.list = text, packed, rows

    def __len__(self):
        return len(self.list) if self.packed is None else len(self.packed) // RECORD

    def __iter__(self):
        for start in range(0, len(self), 50_000):
            yield from self.rows(start, start + 50_000)

    def rows(self, start: int = 0, stop: int | None = None) -> list[tuple]:
        stop = len(self) if stop is None else stop
        if self.packed is None:
            return self.list[start:stop]
        return chosen_rows(self.packed, self.text, start, stop)

    def _pieces(self, size: int, compiled, python):
        for start in range(0, len(self), size):
            if self.packed is None:
                yield python(self.list[start:start + size], start)
            else:
                yield compiled(self.packed, self.text, start, start + size)

    def canonical_json(self, size: int = 50_000):
        """The manifest's `selected` items in canonical JSON, comma-separated, in pieces (bytes)."""
        def python(rows, _):
            return ",".join(json.dumps({"uscc": u, "risk": r, "score": s, "by": by}, ensure_ascii=False,
                                       sort_keys=True, separators=(",", ":")) for u, r, s, by in rows).encode()
        return self._pieces(size, lambda *a: chosen_json(*a), python)  # named only where compiled

    def copy_text(self, lead: str, size: int = 50_000):
        """PostgreSQL COPY text rows `lead rank<TAB>risk<TAB>uscc<TAB>by`, rank from 1, in pieces (no score: the
        stored rows recompute it when read)."""
        def python(rows, start):
            return "".join(f"{lead}{start + i}\t{r}\t{_copy_field(u)}\t{by}\n"
                           for i, (u, r, _, by) in enumerate(rows, 1)).encode()
        return self._pieces(size, lambda *a: chosen_copy(*a, lead.encode()), python)


def _copy_field(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\r", "\\r")


def population_json(text: str, size: int = 50_000):
    """The manifest's `population` items in canonical JSON, comma-separated, in pieces (bytes)."""
    if not COMPILED:
        pairs = parse_population(text)
        for start in range(0, len(pairs), size):
            yield ",".join(json.dumps({"uscc": u, "risk": r}, ensure_ascii=False, sort_keys=True,
                                      separators=(",", ":")) for u, r in pairs[start:start + size]).encode()
        return
    offset = 0
    while offset < len(text):
        piece, offset = population_pieces(text, offset, size)
        yield piece


# --- inspector draw and matching --------------------------------------------------------------------------

def eligible(person: dict, window_start: date, window_end: date) -> bool:
    """Active, and the certificate valid on every day of the plan window."""
    start, end = window_start.isoformat(), window_end.isoformat()
    valid_from, valid_to = person.get("valid_from"), person.get("valid_to")
    return bool(person.get("active")) and (not valid_from or valid_from <= start) and bool(valid_to) and valid_to >= end


def inspector_score(seed_hex: str, uscc: str, certificate: str) -> str:
    data = bytes.fromhex(seed_hex) + b"inspector" + uscc.encode("ascii") + certificate.encode("ascii")
    return hashlib.sha256(data).hexdigest()


def match_teams(seed_hex: str, pairs, roster: list[dict], conflicts, team_sizes: dict, lead_department: str,
                window_start: date, window_end: date, not_supervised=(), workers: int = 1) -> dict:
    """Walk the confirmed entities by ascending entity score; per department take the t candidates with the
    fewest assignments so far, ties broken by SHA-256(seed || b"inspector" || uscc || certificate).

    `conflicts`: (certificate, uscc) pairs (回避). `not_supervised`: (uscc, department) pairs a department
    excluded as 不属本部门监管: that department has no team there. Departments never share an inspector, so
    each is matched on its own; `workers` > 1 matches them in parallel threads (the compiled ranking releases
    the GIL while it hashes), with the same result.
    Returns {"entities": [[uscc, risk, score]…] in walk order, "teams": [{"uscc", "department",
    "certificates", "short"}…], "leaders": {uscc: certificate}}.
    """
    levels = _scored(seed_hex, pairs)
    order = sorted((key, level) for level in LEVELS for key in levels[level])
    walk = [key[32:].decode("ascii") for key, _ in order]
    jobs = []
    for dept, size in team_sizes.items():
        pool = [p["certificate"] for p in roster
                if p["department"] == dept and eligible(p, window_start, window_end)]
        mine = set(pool)
        blocked = {}
        for certificate, uscc in conflicts:
            if certificate in mine:
                blocked.setdefault(uscc, []).append(certificate)
        skip = [uscc for uscc, d in not_supervised if d == dept]
        jobs.append((seed_hex, walk, pool, blocked, skip, int(size)))
    from webapp.domain.matching import match_department  # it imports this module

    if workers > 1 and len(jobs) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(workers, len(jobs))) as executor:
            # the work is about entities × pool: the largest pools first, so that the threads end together
            futures = {i: executor.submit(match_department, *jobs[i])
                       for i in sorted(range(len(jobs)), key=lambda i: -len(jobs[i][2]))}
            outcomes = [futures[i].result() for i in range(len(jobs))]
    else:
        outcomes = [match_department(*job) for job in jobs]

    picks = {dept: outcome for dept, outcome in zip(team_sizes, outcomes)}
    departments = list(team_sizes)
    if lead_department in departments:  # the lead department's first pick leads the team
        departments.remove(lead_department)
        departments.insert(0, lead_department)
    teams, leaders = [], {}
    for uscc in walk:
        for dept in team_sizes:
            got = picks[dept].get(uscc)
            if got is not None:
                teams.append({"uscc": uscc, "department": dept, "certificates": got[0], "short": got[1]})
        for dept in departments:
            got = picks[dept].get(uscc)
            if got and got[0]:
                leaders[uscc] = got[0][0]
                break
    return {
        "entities": [[key[32:].decode("ascii"), level, key[:32].hex()] for key, level in order],
        "teams": teams,
        "leaders": leaders,
    }


# --- the published record: webapp/domain/manifest.py ------------------------------------------------------

_MANIFEST = frozenset({"Stream", "stream_json", "manifest", "verify"})


def __getattr__(name):
    """`draw.manifest`, `draw.verify`, `draw.stream_json` and `draw.Stream` live in webapp.domain.manifest (which
    imports this module, hence the lazy look-up); the old names keep working."""
    if name in _MANIFEST:
        from webapp.domain import manifest

        return getattr(manifest, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
