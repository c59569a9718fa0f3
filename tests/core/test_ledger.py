"""The transparency log in the database: leaves and subtree hashes appended in bulk, signed heads, and proofs
that the pure RFC 9162 verifier accepts."""
import base64

from cryptography.hazmat.primitives import serialization

from webapp.core import ledger
from webapp.core.extensions import db
from webapp.domain import merkle


def verify_head(head: dict) -> bool:
    key = serialization.load_pem_public_key(ledger.public_key_pem().encode())
    try:
        key.verify(base64.b64decode(head["signature"]), ledger.head_message(head["size"], head["root"], head["at"]))
    except Exception:
        return False
    return True


def test_appended_acts_have_signed_heads_and_proofs(app):
    tree = merkle.MemoryTree()
    heads = []
    for batch in (1, 2, 5, 1, 13):
        made = ledger.append_many([("test.act", {"n": i}, f"t:{i}") for i in range(batch)])
        for leaf in made:
            assert merkle.leaf_hash(leaf.body.encode()) == bytes.fromhex(leaf.leaf_hash)
            tree.append(bytes.fromhex(leaf.leaf_hash))
        heads.append(ledger.head_json(ledger.sign_head()))
        db.session.commit()
    assert ledger.size() == 22 and [h["size"] for h in heads] == [1, 3, 8, 9, 22]
    for head in heads:
        assert verify_head(head) and bytes.fromhex(head["root"]) == tree.root(head["size"])
    for index in (0, 7, 8, 21):
        path = ledger.inclusion(index, 22)
        assert merkle.verify_inclusion(tree.node(0, index), index, 22, path, tree.root())
    for old, new in zip(heads, heads[1:]):
        proof = ledger.consistency(old["size"], new["size"])
        assert merkle.verify_consistency(old["size"], new["size"], bytes.fromhex(old["root"]),
                                         bytes.fromhex(new["root"]), proof)
    assert ledger.sign_head() is None  # nothing new since the last head
    forged = dict(heads[-1], root="00" * 32)
    assert not verify_head(forged)
