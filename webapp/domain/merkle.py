"""The Merkle tree of the transparency log, as RFC 9162 (Certificate Transparency 2.0) §2.1 defines it.

Pure and small, so that an outside verifier can copy it: leaf hash SHA-256(0x00 ‖ leaf), node hash
SHA-256(0x01 ‖ left ‖ right), the tree head MTH over leaves 0..n-1, inclusion paths (PATH) and consistency
proofs (PROOF), and the two verification algorithms of §2.1.3.2 and §2.1.4.2.

The log stores the hash of every complete subtree (`level`, `index`: leaves index·2^level … (index+1)·2^level-1)
as it grows, so any head or proof costs O(log n) lookups: callers pass `node(level, index) -> bytes`.
"""
import hashlib
from collections.abc import Callable, Sequence

Node = Callable[[int, int], bytes]
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def completed(index: int) -> list[int]:
    """Levels ≥ 1 of the complete subtrees that end with leaf `index` (0-based): their hashes can be stored."""
    levels, level = [], 1
    while (index + 1) % (1 << level) == 0:
        levels.append(level)
        level += 1
    return levels


def subtree(node: Node, start: int, end: int) -> bytes:
    """MTH of leaves start..end-1, for the ranges RFC 9162's recursions visit (start aligned to the largest
    power of two below end-start): complete subtrees from the left, folded from the right."""
    if start >= end:
        return EMPTY_ROOT
    parts = []
    while start < end:
        level = 0
        while start % (1 << (level + 1)) == 0 and start + (1 << (level + 1)) <= end:
            level += 1
        parts.append(node(level, start >> level))
        start += 1 << level
    out = parts.pop()
    while parts:
        out = node_hash(parts.pop(), out)
    return out


def root(node: Node, size: int) -> bytes:
    return subtree(node, 0, size)


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_path(node: Node, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]): the sibling hashes from the leaf up to the root."""
    if not 0 <= index < size:
        raise ValueError("leaf index outside the tree")
    path, start, end = [], 0, size
    while end - start > 1:
        k = _split(end - start)
        if index - start < k:
            path.append(subtree(node, start + k, end))
            end = start + k
        else:
            path.append(subtree(node, start, start + k))
            start += k
    return path[::-1]


def consistency_proof(node: Node, old: int, new: int) -> list[bytes]:
    """PROOF(old, D[new]): what shows that the tree of `new` leaves extends the tree of `old` leaves."""
    if not 0 < old <= new:
        raise ValueError("tree sizes out of order")
    proof, start, end, m, whole = [], 0, new, old, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            proof.append(subtree(node, start + k, end))
            end = start + k
        else:
            proof.append(subtree(node, start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        proof.append(subtree(node, start, end))
    return proof[::-1]


def _sides(fn: int, sn: int, path: Sequence[bytes]) -> list[bool] | None:
    """The walk both verifications of RFC 9162 share (§2.1.3.2 and §2.1.4.2, from `fn`, `sn`): per hash of
    `path`, whether it is the left sibling. None when the path does not end exactly at the root (sn = 0)."""
    sides = []
    for _ in path:
        if sn == 0:
            return None
        left = bool(fn & 1) or fn == sn
        sides.append(left)
        if left and not fn & 1:
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        fn, sn = fn >> 1, sn >> 1
    return sides if sn == 0 else None


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root_hash: bytes) -> bool:
    """RFC 9162 §2.1.3.2, with the leaf hash given."""
    if index >= size:
        return False
    sides = _sides(index, size - 1, path)
    if sides is None:
        return False
    r = leaf
    for p, left in zip(path, sides):
        r = node_hash(p, r) if left else node_hash(r, p)
    return r == root_hash


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2."""
    if old == new:
        return not proof and old_root == new_root
    if not 0 < old < new or not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:  # an exact power of two: the old root is a node of the new tree
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    sides = _sides(fn, sn, path[1:])
    if sides is None:
        return False
    fr = sr = path[0]
    for c, left in zip(path[1:], sides):
        if left:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
        else:
            sr = node_hash(sr, c)
    return fr == old_root and sr == new_root


class MemoryTree:
    """A tree in memory with the same node store as the log's table, for verifiers, mirrors and tests: the hash of
    every complete subtree in one bytearray per level (32 bytes a node: a million leaves take 64 MB)."""

    def __init__(self):
        self.levels: list[bytearray] = [bytearray()]
        self.size = 0

    def append(self, h: bytes) -> int:
        levels = self.levels
        levels[0] += h
        index, level = self.size, 0
        while index & 1:
            index >>= 1
            level += 1
            if len(levels) <= level:
                levels.append(bytearray())
            below = levels[level - 1]
            levels[level] += node_hash(below[64 * index:64 * index + 32], below[64 * index + 32:64 * index + 64])
        self.size += 1
        return self.size - 1

    def node(self, level: int, index: int) -> bytes:
        return bytes(self.levels[level][32 * index:32 * index + 32])

    def root(self, size: int | None = None) -> bytes:
        return root(self.node, self.size if size is None else size)
