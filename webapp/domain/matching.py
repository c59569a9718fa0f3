"""Inspector matching for one department (`draw.match_teams` runs one per department, in threads if asked).

The ranking is `spotcheck-hashrank-v1`'s: per entity, the candidates with the fewest assignments so far, lowest
SHA-256(seed || b"inspector" || uscc || certificate) first. SHA-256 eats 64-byte blocks and seed || b"inspector"
|| uscc fills 59 bytes of the first, so the candidates are grouped by their first HEAD bytes (a department's
certificates mostly share them): each group's first block is hashed once per entity and each candidate costs one
block instead of two, with the same digests.

Compiled (webapp/domain/_matchrank.c, built at install with _hashrank), a department's whole walk is one call
that holds no GIL and makes no Python object per candidate; `match_department_py` is the same walk in Python
(where no compiler was), and the tests hold the two to the same teams.
"""
import hashlib
import heapq

from webapp.domain import draw

try:
    from webapp.domain._matchrank import match as _match
except ImportError:  # no compiler where it was installed: the Python walk, same teams
    _match = None

HEAD = 64 - len(bytes(32) + b"inspector" + b"0" * 18)


def match_department(seed_hex: str, walk: list[str], pool: list[str], blocked: dict, skip, size: int) -> dict:
    """One department: {uscc: ([certificates in (load, score) order], how many short of the team size)}."""
    if _match is None:
        return match_department_py(seed_hex, walk, pool, blocked, skip, size)
    index = {c: i for i, c in enumerate(pool)}
    blocked = {uscc: [index[c] for c in certs if c in index] for uscc, certs in blocked.items()}
    return _match(bytes.fromhex(seed_hex) + b"inspector", walk, pool, blocked, frozenset(skip), int(size))


def match_department_py(seed_hex: str, walk: list[str], pool: list[str], blocked: dict, skip, size: int) -> dict:
    """`match_department` in Python (candidates grouped by their first HEAD bytes, hashed by `draw.lowest`)."""
    seed = bytes.fromhex(seed_hex) + b"inspector"
    blocked = {uscc: {c.encode("ascii") for c in certs} for uscc, certs in blocked.items()}
    skip = set(skip)
    pool = [c.encode("ascii") for c in pool]
    # Certificates with few shared heads: one group (head b""), hashed as a whole as before.
    cut = HEAD if len({c[:HEAD] for c in pool}) * 16 <= len(pool) else 0
    # by_load[L]: the candidates with L assignments so far, as {head: [tails]} (lists, which lowest() reads
    # without copying them); at[certificate]: its index in its list.
    by_load: list[dict[bytes, list[bytes]]] = [{}]
    at = {}
    for c in pool:
        tails = by_load[0].setdefault(c[:cut], [])
        at[c] = len(tails)
        tails.append(c[cut:])
    low = 0
    out = {}
    for uscc in walk:
        if uscc in skip:
            continue
        prefix = seed + uscc.encode("ascii")
        no = blocked.get(uscc)
        need, taken, load = size, [], low
        while need and load < len(by_load):
            best = _lowest_of(prefix, by_load[load], no, need)
            taken += [(load, c) for c in best]
            need -= len(best)
            load += 1
        for load, c in taken:  # one more assignment: to by_load[load + 1], the last of its list taking its place
            head, groups = c[:cut], by_load[load]
            tails = groups[head]
            last, i = tails.pop(), at.pop(c)
            if i < len(tails):
                tails[i] = last
                at[head + last] = i
            elif not tails:
                del groups[head]
            if load + 1 == len(by_load):
                by_load.append({})
            tails = by_load[load + 1].setdefault(head, [])
            at[c] = len(tails)
            tails.append(c[cut:])
        while low < len(by_load) - 1 and not by_load[low]:
            low += 1
        out[uscc] = ([c.decode("ascii") for _, c in taken], need)
    return out


def _lowest_of(prefix: bytes, groups: dict, no, k: int) -> list[bytes]:
    """The k certificates of {head: [tails]} with the smallest SHA-256(prefix || head || tail), ascending."""
    found = []
    for head, tails in groups.items():
        if no:
            tails = [t for t in tails if head + t not in no]
        found += [head + t for t in draw.lowest(prefix + head, tails, k)]
    if len(groups) > 1:
        found = heapq.nsmallest(k, found, key=lambda c: hashlib.sha256(prefix + c).digest())
    return found
