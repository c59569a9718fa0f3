"""The transparency log's Merkle tree against RFC 9162's definitions, written out naively, and the
certificate-transparency test vectors."""
import hashlib

import pytest

from webapp.domain import merkle

# The eight leaves of the Certificate Transparency reference tests and the tree heads of their prefixes.
LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                     "606162636465666768696a6b6c6d6e6f")]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def mth(d):
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return merkle.leaf_hash(d[0])
    k = 1
    while k * 2 < len(d):
        k *= 2
    return merkle.node_hash(mth(d[:k]), mth(d[k:]))


def path(m, d):
    if len(d) == 1:
        return []
    k = 1
    while k * 2 < len(d):
        k *= 2
    return path(m, d[:k]) + [mth(d[k:])] if m < k else path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m, d, whole):
    if m == len(d):
        return [] if whole else [mth(d)]
    k = 1
    while k * 2 < len(d):
        k *= 2
    return subproof(m, d[:k], whole) + [mth(d[k:])] if m <= k else subproof(m - k, d[k:], False) + [mth(d[:k])]


def tree_of(leaves):
    tree = merkle.MemoryTree()
    for leaf in leaves:
        tree.append(merkle.leaf_hash(leaf))
    return tree


def test_tree_heads_are_the_reference_vectors():
    tree = tree_of(LEAVES)
    assert [tree.root(n).hex() for n in range(1, 9)] == ROOTS
    assert tree.root(0) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 9, 16, 17, 31, 33, 70])
def test_paths_and_proofs_are_rfc_9162s(size):
    leaves = [i.to_bytes(4, "big") for i in range(size)]
    tree = tree_of(leaves)
    assert tree.root() == mth(leaves)
    for m in range(size):
        p = merkle.inclusion_path(tree.node, m, size)
        assert p == path(m, leaves)
        assert merkle.verify_inclusion(merkle.leaf_hash(leaves[m]), m, size, p, tree.root())
    for old in range(1, size + 1):
        proof = merkle.consistency_proof(tree.node, old, size)
        assert proof == subproof(old, leaves, True)
        assert merkle.verify_consistency(old, size, tree.root(old), tree.root(), proof)


def test_a_changed_leaf_or_a_rewritten_history_does_not_verify():
    leaves = [i.to_bytes(4, "big") for i in range(13)]
    tree = tree_of(leaves)
    p = merkle.inclusion_path(tree.node, 5, 13)
    assert not merkle.verify_inclusion(merkle.leaf_hash(b"edited"), 5, 13, p, tree.root())
    assert not merkle.verify_inclusion(merkle.leaf_hash(leaves[5]), 6, 13, p, tree.root())
    assert not merkle.verify_inclusion(merkle.leaf_hash(leaves[5]), 13, 13, p, tree.root())
    forked = tree_of(leaves[:7] + [b"other"] + leaves[8:])
    proof = merkle.consistency_proof(forked.node, 9, 13)
    assert not merkle.verify_consistency(9, 13, tree.root(9), forked.root(), proof)
    assert not merkle.verify_consistency(6, 13, tree.root(6), tree.root(), [])


def test_completed_levels():
    assert merkle.completed(0) == [] and merkle.completed(1) == [1] and merkle.completed(7) == [1, 2, 3]
    assert merkle.completed(5) == [1]
