"""The transparency log (docs/transparency-log.md): every public act appended as a leaf of an RFC 9162 Merkle
tree, with tree heads signed by the deployment's Ed25519 key, and the proofs that let anyone check them.

Append-only: this module has no update or delete path, and on PostgreSQL a trigger refuses both. Appends are
serialised (a transaction-scoped advisory lock on PostgreSQL; SQLite writes one at a time) so leaf indexes
never collide, and they commit with the act they record, in the caller's transaction."""
import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from sqlalchemy import event, func, select, tuple_
from sqlalchemy.orm import Mapped, Session, mapped_column

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import merkle

LOG_ID = "spotcheck-transparency-v1"
LOCK_KEY = 0x5C07_106  # pg_advisory_xact_lock key of the log (and of the audit chain: one lock, no deadlock)
PAGE = 10_000  # leaves per page of /transparency/leaves

# The public acts (leaf kinds) and how the pages name them.
KIND_LABELS = {
    "draw.prepared": "抽取准备（公布摘要和承诺值）",
    "draw.executed": "抽取执行（公布随机数和种子）",
    "draw.abandoned": "抽取作废",
    "manifest.disclosed": "抽取清单公开（对象名单和检查组）",
    "result.published": "检查结果公示",
    "result.withdrawn": "撤回公示",
    "result.corrected": "经企业异议更正结果",
    "followup.closed": "后续监管办结",
    "audit.head": "内部审计链的链头",
}


class LogLeaf(db.Model):
    """One public act: its canonical JSON and the RFC 9162 leaf hash of those bytes."""

    __tablename__ = "log_leaves"
    index: Mapped[int] = mapped_column(db.BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(db.String(40), nullable=False, index=True)
    body: Mapped[str] = mapped_column(db.Text, nullable=False)
    leaf_hash: Mapped[str] = mapped_column(db.String(64), nullable=False)
    ref: Mapped[str | None] = mapped_column(db.String(80), index=True)  # e.g. "record:<token>", "draw:12"


class LogNode(db.Model):
    """The hash of a complete subtree of 2^level leaves (level ≥ 1); level 0 is the leaf hash itself."""

    __tablename__ = "log_nodes"
    level: Mapped[int] = mapped_column(db.SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(db.BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(db.String(64), nullable=False)


class LogHead(db.Model):
    """A signed tree head: the log's size and root at a moment, signed with the deployment's key."""

    __tablename__ = "log_heads"
    size: Mapped[int] = mapped_column(db.BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[str] = mapped_column(db.String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), nullable=False)
    signature: Mapped[str] = mapped_column(db.String(128), nullable=False)


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


# --- the key -----------------------------------------------------------------------------------------------

def signing_key() -> Ed25519PrivateKey:
    """LOG_SIGNING_KEY (PEM, or a path to one), else a key made once and kept in the instance folder (0600)."""
    given = current_app.config.get("LOG_SIGNING_KEY") or ""
    if given and not given.lstrip().startswith("-----"):
        given = Path(given).read_text()
    if not given:
        path = Path(current_app.instance_path) / "log_signing_key.pem"
        if not path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(pem)
            try:  # whole or not at all: two processes starting together agree on the first key linked
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(tmp)
        given = path.read_text()
    return serialization.load_pem_private_key(given.encode(), password=None)


def public_key_pem() -> str:
    return signing_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def stamp(at: datetime) -> str:
    """A head's time as signed: UTC, to the second, `2026-12-01T08:00:00Z`."""
    return clock.aware(at).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def head_message(size: int, root_hex: str, at: str) -> bytes:
    """The bytes a tree head's signature covers."""
    return canonical({"log": LOG_ID, "size": size, "root": root_hex, "at": at})


# --- writing -----------------------------------------------------------------------------------------------

def lock():
    """Serialise appends to the log and to the audit chain until the transaction ends (PostgreSQL; SQLite writes
    one transaction at a time anyway)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")


_lock = lock


def size() -> int:
    """The number of leaves: the last index + 1 (leaves are numbered without gaps; an index lookup, not a count
    of a million rows)."""
    last = db.session.scalar(select(func.max(LogLeaf.index)))
    return 0 if last is None else last + 1


def append(kind: str, body: dict, ref: str | None = None) -> "Appended":
    """Add one public act as the next leaf (in the caller's transaction); `body` is its public content."""
    return append_many([(kind, body, ref)])[0]


@dataclass(slots=True)
class Appended:
    """A leaf just appended (what `append`/`append_many` return: cheaper than 100,000 ORM objects)."""

    index: int
    kind: str
    body: str
    leaf_hash: str
    ref: str | None


def _frontier(size: int) -> list[tuple[int, bytes]]:
    """The log's right edge before appending to a log of `size` leaves: the complete subtrees of its binary
    decomposition, largest first, as (level, hash)."""
    out, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            out.append((level, bytes.fromhex(_node_hex(level, start >> level))))
            start += 1 << level
    return out


def _copy(table, columns, rows):
    """Rows (tuples) into a log table: one COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), [dict(zip(columns, row)) for row in rows])
        return
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)


def append_many(acts) -> list[Appended]:
    """Add (kind, body, ref) acts as consecutive leaves, with the subtree hashes they complete, in bulk."""
    _lock()
    last = db.session.scalar(select(func.max(LogLeaf.index)))
    n = 0 if last is None else last + 1
    at = clock.utcnow().isoformat()
    edge = _frontier(n)
    leaves, nodes, made = [], [], []
    for kind, body, ref in acts:
        data = canonical({"index": n, "kind": kind, "at": at, **body})
        h = merkle.leaf_hash(data)
        text, hex_ = data.decode("utf-8"), h.hex()
        leaves.append((n, kind, text, hex_, ref))
        made.append(Appended(n, kind, text, hex_, ref))
        edge.append((0, h))
        while len(edge) > 1 and edge[-1][0] == edge[-2][0]:  # two complete subtrees of one size: their parent
            level, right = edge.pop()
            _, left = edge.pop()
            parent = merkle.node_hash(left, right)
            edge.append((level + 1, parent))
            nodes.append((level + 1, n >> (level + 1), parent.hex()))
        n += 1
    _copy(LogLeaf.__table__, ("index", "kind", "body", "leaf_hash", "ref"), leaves)
    _copy(LogNode.__table__, ("level", "index", "hash"), nodes)
    return made


def document_sha256(document) -> str:
    """The SHA-256 of a public document: bytes as they are, text as UTF-8, anything else as canonical JSON."""
    if isinstance(document, (bytes, bytearray, memoryview)):
        data = bytes(document)
    elif isinstance(document, str):
        data = document.encode("utf-8")
    else:
        data = canonical(document)
    return hashlib.sha256(data).hexdigest()


def record_act(kind: str, ref: str | None, document=None, *, sha256: str | None = None, **fields) -> Appended:
    """Log one public act, in the caller's transaction: a leaf {index, kind, at, ref, document_sha256, **fields}:
    document_sha256 is `document_sha256(document)` (the public page or JSON the act refers to; or given as `sha256`) and
    `fields` its public summary. A signed tree head follows when the transaction commits (one head per batch of acts).

        ledger.record_act("result.published", f"record:{token}:{code}", public_json, record=token, department=code)
    """
    body = {"ref": ref, "document_sha256": sha256 or document_sha256(document), **fields}
    leaf = append(kind, body, ref)
    db.session.info["ledger_unsigned"] = True
    return leaf


@event.listens_for(Session, "before_commit")
def _sign_before_commit(session):
    """The head after every batch: a transaction that logged acts signs the head of the log it leaves."""
    if session.info.pop("ledger_unsigned", False) and session is db.session():
        sign_head()


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session):
    session.info.pop("ledger_unsigned", None)


def has_leaf(kind: str, ref: str) -> bool:
    return db.session.scalar(select(LogLeaf.index).where(LogLeaf.kind == kind, LogLeaf.ref == ref).limit(1)) is not None


def sign_head() -> LogHead | None:
    """Sign the tree head at the log's current size (in the caller's transaction), unless one exists."""
    _lock()
    n = size()
    if n == 0 or db.session.get(LogHead, n) is not None:
        return None
    root_hex = root(n).hex()
    at = clock.utcnow().replace(microsecond=0)
    signature = signing_key().sign(head_message(n, root_hex, stamp(at)))
    head = LogHead(size=n, root=root_hex, at=at, signature=base64.b64encode(signature).decode())
    db.session.add(head)
    db.session.flush()
    return head


# --- reading -----------------------------------------------------------------------------------------------

def _node_hex(level: int, i: int) -> str:
    if level == 0:
        return db.session.scalar(select(LogLeaf.leaf_hash).where(LogLeaf.index == i))
    return db.session.scalar(select(LogNode.hash).where(LogNode.level == level, LogNode.index == i))


def _prefetched(compute):
    """Run `compute(node)` twice: once to learn which nodes it needs, then with them fetched in two queries."""
    wanted: set[tuple[int, int]] = set()

    def record(level, i):
        wanted.add((level, i))
        return b"\0" * 32

    compute(record)
    have = {}
    leaves = [i for level, i in wanted if level == 0]
    if leaves:
        have.update({(0, i): bytes.fromhex(h) for i, h in db.session.execute(
            select(LogLeaf.index, LogLeaf.leaf_hash).where(LogLeaf.index.in_(leaves)))})
    inner = [key for key in wanted if key[0] > 0]
    if inner:
        have.update({(level, i): bytes.fromhex(h) for level, i, h in db.session.execute(
            select(LogNode.level, LogNode.index, LogNode.hash).where(tuple_(LogNode.level, LogNode.index).in_(inner)))})
    return compute(lambda level, i: have[(level, i)])


def root(n: int) -> bytes:
    return _prefetched(lambda node: merkle.root(node, n))


def inclusion(index: int, tree_size: int) -> list[bytes]:
    return _prefetched(lambda node: merkle.inclusion_path(node, index, tree_size))


def consistency(old: int, new: int) -> list[bytes]:
    return _prefetched(lambda node: merkle.consistency_proof(node, old, new))


def latest_head() -> LogHead | None:
    return db.session.scalar(select(LogHead).order_by(LogHead.size.desc()).limit(1))


def head_json(head: LogHead) -> dict:
    return {"log": LOG_ID, "size": head.size, "root": head.root, "at": stamp(head.at),
            "signature": head.signature}


def leaf_of(ref: str) -> LogLeaf | None:
    """The latest leaf about an object (e.g. a record's publication), for its public page's proof link."""
    return db.session.scalar(select(LogLeaf).where(LogLeaf.ref == ref).order_by(LogLeaf.index.desc()).limit(1))


def leaves_of(ref: str) -> list[LogLeaf]:
    """Every leaf about an object and its parts: `ref` itself and `ref:…` (e.g. "record:<token>" and
    "record:<token>:<department code>"), oldest first."""
    return db.session.scalars(select(LogLeaf).where(
        (LogLeaf.ref == ref) | LogLeaf.ref.startswith(ref + ":", autoescape=True)).order_by(LogLeaf.index)).all()


def leaf(index: int) -> LogLeaf | None:
    return db.session.get(LogLeaf, index)


def leaves(start: int, end: int) -> list[dict]:
    """Leaves start..end-1 as published: index, leaf_hash and the exact body text."""
    rows = db.session.execute(select(LogLeaf.index, LogLeaf.leaf_hash, LogLeaf.body)
                              .where(LogLeaf.index >= start, LogLeaf.index < end).order_by(LogLeaf.index))
    return [{"index": i, "leaf_hash": h, "body": b} for i, h, b in rows]


def heads() -> list[LogHead]:
    return db.session.scalars(select(LogHead).order_by(LogHead.size)).all()


def head_at(size: int) -> LogHead | None:
    return db.session.get(LogHead, size)


def export_lines():
    """The log as JSON Lines (`spotcheck log-export`, read by `verify-log FILE`): a header with the public key,
    every signed head and the consistency proofs between successive heads, then one leaf a line."""
    signed = [head_json(h) for h in heads()]
    proofs = [{"old": a["size"], "new": b["size"], "proof": [p.hex() for p in consistency(a["size"], b["size"])]}
              for a, b in zip(signed, signed[1:])]
    yield json.dumps({"log": LOG_ID, "public_key": public_key_pem(), "heads": signed, "consistency": proofs},
                     ensure_ascii=False) + "\n"
    end = signed[-1]["size"] if signed else 0
    for start in range(0, end, PAGE):
        for row in leaves(start, min(end, start + PAGE)):
            yield json.dumps(row, ensure_ascii=False) + "\n"
