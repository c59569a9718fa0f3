"""domain.matching hashes a shared first block once per group of certificates: the teams must be exactly what
the plain ranking gives (fewest assignments, then lowest SHA-256(seed || b"inspector" || uscc || certificate))."""
import hashlib
import random

import pytest

from webapp.domain import matching, uscc


def plain(seed_hex, walk, pool, blocked, skip, size):
    load = {c: 0 for c in pool}
    out = {}
    for code in walk:
        if code in skip:
            continue
        def score(c):
            return hashlib.sha256(bytes.fromhex(seed_hex) + b"inspector" + code.encode() + c.encode()).digest()
        free = sorted((c for c in pool if c not in blocked.get(code, ())), key=lambda c: (load[c], score(c)))
        taken = free[:size]
        for c in taken:
            load[c] += 1
        out[code] = (taken, size - len(taken))
    return out


def test_grouped_heads_give_the_plain_ranking():
    rng = random.Random(13)
    walk = [uscc.complete(f"91130606{i:09d}") for i in range(300)]
    shared = [f"1306JT{i:05d}" for i in range(60)]  # one head: the grouped path
    mixed = shared[:40] + [f"9{i}X" for i in range(5)] + [f"1307RS{i:05d}" for i in range(20)]  # several heads
    distinct = [f"{i:02d}{rng.randrange(10**6):06d}" for i in range(30)]  # no shared heads: one group
    seed = hashlib.sha256(b"lists").hexdigest()
    for pool in (shared, mixed, distinct, shared[:3]):
        blocked = {walk[i]: rng.sample(pool, min(2, len(pool))) for i in range(0, 300, 7)}
        skip = walk[5:300:11]
        for size in (1, 2, 4):
            assert matching.match_department(seed, walk, pool, blocked, skip, size) == \
                plain(seed, walk, pool, blocked, set(skip), size)


def test_the_compiled_walk_is_built():
    # hatch_build.py compiles webapp/domain/_matchrank.c beside _hashrank.c; without it the matching misses its figure.
    assert matching._match is not None, "webapp/domain/_matchrank.c is not built: install gcc and libssl-dev, then pip install -e ."


def test_compiled_and_python_walks_give_the_plain_ranking():
    """Every path of the compiled walk: one shared head, several, certificates shorter than the head or too long
    for one final block, USCCs of other lengths (more than it keeps padded blocks for), teams larger than its
    sorted array, blocked and skipped entities, an empty pool."""
    rng = random.Random(2026)
    walk = [uscc.complete(f"91130606{i:09d}") for i in range(200)]
    walk += [f"X{i}" for i in range(6)] + ["Y" * (18 + 64)] + [f"9113{i:03d}" for i in range(5)] + \
        [f"Q{i:04d}" for i in range(4)]
    rng.shuffle(walk)
    shared = [f"1306JT{i:05d}" for i in range(40)]
    pools = [
        shared,
        shared[:20] + [f"9{i}X" for i in range(5)] + [f"1307RS{i:05d}" for i in range(10)],  # several heads, short
        [f"{i:03d}" + "L" * (60 + i) for i in range(12)],  # too long for one final block
        shared[:1],
        [],
    ]
    seed = hashlib.sha256(b"compiled").hexdigest()
    for pool in pools:
        blocked = {walk[i]: rng.sample(pool, min(3, len(pool))) for i in range(0, len(walk), 5)}
        skip = walk[3::13]
        for size in (0, 1, 3, 17):
            expected = plain(seed, walk, pool, blocked, set(skip), size)
            assert matching.match_department(seed, walk, pool, blocked, skip, size) == expected, (pool[:2], size)
            assert matching.match_department_py(seed, walk, pool, blocked, skip, size) == expected, (pool[:2], size)


def test_the_compiled_walk_refuses_what_it_cannot_hash():
    seed = hashlib.sha256(b"refuses").hexdigest()
    walk = [uscc.complete("91130606000000001")]
    with pytest.raises(ValueError):
        matching.match_department(seed, walk, ["执法证1"], {}, (), 1)
    with pytest.raises(ValueError):
        matching.match_department(seed, ["统一代码"], ["1306JT00001"], {}, (), 1)
    with pytest.raises(ValueError):
        matching.match_department(seed, walk, ["1306JT00001"], {}, (), -1)
