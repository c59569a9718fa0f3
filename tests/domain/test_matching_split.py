"""domain.matching hashes a shared first block once per group of certificates: the teams must be exactly what
the plain ranking gives (fewest assignments, then lowest SHA-256(seed || b"inspector" || uscc || certificate))."""
import hashlib
import random

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
