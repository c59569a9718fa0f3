"""An independent verifier of the spotcheck transparency log (docs/transparency-log.md), in one file.

Standard library and `cryptography` only, no Flask, no database: copy this file and `merkle.py` beside it
(the RFC 9162 hashing and proofs it shares with the server) and run it. It reads the log
over HTTP (`/transparency/…`) or from an export (`spotcheck log-export FILE`, JSON Lines) and checks

  1. every signed tree head's Ed25519 signature, with the log's public key;
  2. every leaf: its body is valid JSON naming its own index, and SHA-256(0x00 ‖ body) is its leaf_hash;
  3. the Merkle tree recomputed from the leaves (RFC 9162 §2.1.1) against the root of every signed head;
  4. the consistency proof between every two successive heads (RFC 9162 §2.1.4), as the server gives it;
  5. a sample of the server's inclusion proofs (RFC 9162 §2.1.3).

It stops at the first inconsistency and says precisely which head or leaf it is. `logmirror.mirror()` keeps a
local copy and raises `Alarm` when the server's new head does not extend the one stored before.

    python -m webapp.domain.logverify https://ssj.example.gov.cn         # or: spotcheck verify-log URL_OR_FILE
"""
import base64
import hashlib
import json
import os
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

try:
    from webapp.domain.merkle import MemoryTree as Tree
    from webapp.domain.merkle import leaf_hash, node_hash, verify_consistency, verify_inclusion  # noqa: F401
except ImportError:  # copied beside merkle.py, outside the package
    from merkle import MemoryTree as Tree  # type: ignore[no-redef]
    from merkle import leaf_hash, node_hash, verify_consistency, verify_inclusion  # type: ignore  # noqa: F401

LOG_ID = "spotcheck-transparency-v1"
PAGE = 10_000  # leaves per request, the server's maximum


class Problem(Exception):
    """The first inconsistency found, in Chinese, naming the head or the leaf."""


class Alarm(Problem):
    """The mirror's alarm: the server's new head is not consistent with the head stored before."""


# --- RFC 9162 §2.1 -----------------------------------------------------------------------------------------

def canonical(value) -> bytes:
    """The log's canonical JSON: keys sorted, no spaces, UTF-8 (not \\u-escaped)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def head_message(head: dict) -> bytes:
    """The bytes a tree head's signature covers: canonical JSON of log, size, root and at."""
    return canonical({"log": head["log"], "size": head["size"], "root": head["root"], "at": head["at"]})


def load_key(pem: bytes | str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode() if isinstance(pem, str) else pem)
    if not isinstance(key, Ed25519PublicKey):
        raise Problem("公钥不是 Ed25519 公钥。")
    return key


def check_head(key: Ed25519PublicKey, head: dict) -> None:
    where = f"树头（size={head.get('size')}，时间 {head.get('at')}）"
    try:
        if head["log"] != LOG_ID:
            raise Problem(f"{where}属于另一个日志“{head['log']}”，应为 {LOG_ID}。")
        if not isinstance(head["size"], int) or head["size"] < 1 or len(bytes.fromhex(head["root"])) != 32:
            raise Problem(f"{where}的 size 或 root 格式不对。")
        key.verify(base64.b64decode(head["signature"], validate=True), head_message(head))
    except InvalidSignature:
        raise Problem(f"{where}的签名无效：它不是这个公钥签发的，或内容被改动过。") from None
    except (KeyError, TypeError, ValueError) as e:
        raise Problem(f"{where}缺少字段或格式不对：{e}") from None


def check_heads(key: Ed25519PublicKey, heads: list[dict]) -> list[dict]:
    """Every head's signature; sizes strictly increasing. The heads, in order."""
    heads = sorted(heads, key=lambda h: h.get("size", 0))
    for head in heads:
        check_head(key, head)
    for a, b in zip(heads, heads[1:]):
        if a["size"] == b["size"]:
            raise Problem(f"同一大小 {a['size']} 有两个不同的树头（根 {a['root']} 与 {b['root']}）：日志分叉。")
    return heads


# --- leaves ------------------------------------------------------------------------------------------------

def check_leaf(expected_index: int, leaf: dict) -> bytes:
    """One leaf as published: its index, its body's hash; the leaf hash (bytes)."""
    index = leaf.get("index")
    if index != expected_index:
        raise Problem(f"叶子顺序不对：应为第 {expected_index} 号，得到第 {index} 号。")
    body = leaf.get("body")
    if not isinstance(body, str):
        raise Problem(f"第 {index} 号叶子没有内容（body）。")
    data = body.encode("utf-8")
    h = leaf_hash(data)
    if h.hex() != leaf.get("leaf_hash"):
        raise Problem(f"第 {index} 号叶子的内容与其 leaf_hash 不符：SHA-256(0x00‖内容) = {h.hex()}，"
                      f"服务器给出的是 {leaf.get('leaf_hash')}。该叶子的内容被改动过。")
    try:
        parsed = json.loads(body)
    except json.JSONDecodeError:
        raise Problem(f"第 {index} 号叶子的内容不是 JSON。") from None
    if not isinstance(parsed, dict) or parsed.get("index") != index:
        raise Problem(f"第 {index} 号叶子的内容写的序号是 {parsed.get('index') if isinstance(parsed, dict) else '?'}。")
    return h


# --- sources -----------------------------------------------------------------------------------------------

Fetch = Callable[[str], bytes]


def http_fetch(base_url: str, timeout: float = 60) -> Fetch:
    """GET base_url + path with urllib; HTTP errors become Problems."""
    base = base_url.rstrip("/")

    def fetch(path: str) -> bytes:
        url = base + path
        request = urllib.request.Request(url, headers={"User-Agent": "spotcheck-logverify/1",
                                                       "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.read()
        except OSError as e:  # URLError, HTTPError, timeouts
            raise Problem(f"无法读取 {url}：{e}") from None

    return fetch


def _json(fetch: Fetch, path: str):
    try:
        return json.loads(fetch(path))
    except (ValueError, UnicodeDecodeError) as e:
        raise Problem(f"{path} 返回的不是 JSON：{e}") from None


class Server:
    """The log as its HTTP endpoints give it."""

    def __init__(self, fetch: Fetch):
        self.fetch = fetch

    def key(self) -> bytes:
        return self.fetch("/transparency/key.pem")

    def heads(self) -> list[dict]:
        return _json(self.fetch, "/transparency/heads.json")["heads"]

    def leaves(self, start: int, end: int) -> Iterator[dict]:
        while start < end:
            stop = min(end, start + PAGE)
            page = _json(self.fetch, f"/transparency/leaves?start={start}&end={stop}")["leaves"]
            if not page:
                raise Problem(f"服务器没有给出第 {start} 号及以后的叶子（应有 {end} 个）。")
            yield from page
            start += len(page)

    def consistency(self, old: int, new: int) -> list[bytes]:
        got = _json(self.fetch, f"/transparency/proof/consistency?old={old}&new={new}")
        return [bytes.fromhex(h) for h in got["proof"]]

    def inclusion(self, index: int, size: int) -> list[bytes]:
        got = _json(self.fetch, f"/transparency/proof/inclusion?index={index}&size={size}")
        return [bytes.fromhex(h) for h in got["path"]]


class Export:
    """An export file (JSON Lines): a header line {log, public_key, heads, consistency}, then one leaf a line."""

    def __init__(self, path: str):
        self.path = path
        with open(path, encoding="utf-8") as f:
            try:
                self.header = json.loads(f.readline())
            except json.JSONDecodeError as e:
                raise Problem(f"{path} 的第一行不是导出文件的头：{e}") from None
        self.proofs = {(p["old"], p["new"]): [bytes.fromhex(h) for h in p["proof"]]
                       for p in self.header.get("consistency", [])}

    def key(self) -> bytes:
        return self.header["public_key"].encode()

    def heads(self) -> list[dict]:
        return self.header["heads"]

    def leaves(self, start: int, end: int) -> Iterator[dict]:
        with open(self.path, encoding="utf-8") as f:
            f.readline()
            for n, line in enumerate(f, start=2):
                if not line.strip():
                    continue
                try:
                    leaf = json.loads(line)
                except json.JSONDecodeError:
                    raise Problem(f"{self.path} 第 {n} 行不是 JSON。") from None
                if leaf.get("index", -1) >= end:
                    return
                if leaf.get("index", -1) >= start:
                    yield leaf

    def consistency(self, old: int, new: int) -> list[bytes]:
        if (old, new) not in self.proofs:
            raise Problem(f"导出文件中没有从 size={old} 到 size={new} 的一致性证明。")
        return self.proofs[(old, new)]

    def inclusion(self, index: int, size: int):
        return None  # an export carries no inclusion proofs: the tree is recomputed from every leaf


def source(url_or_file: str, fetch: Fetch | None = None):
    if fetch is not None:
        return Server(fetch)
    if url_or_file.startswith(("http://", "https://")):
        return Server(http_fetch(url_or_file))
    if not os.path.exists(url_or_file):
        raise Problem(f"找不到文件 {url_or_file}（网址应以 http:// 或 https:// 开头）。")
    return Export(url_or_file)


# --- the whole log -----------------------------------------------------------------------------------------

def _locate(src, tree: Tree, start: int, size: int, root: bytes) -> str:
    """Which leaf of start..size-1 breaks the head of `size`: those whose inclusion proof from the server (built
    from its stored subtree hashes) does not verify with the hash recomputed from the body. A leaf edited together
    with its leaf_hash also breaks its sibling's proof (the sibling's path holds it): the pair is then named, as
    hashes alone cannot tell the two apart. Looked for among ≤256 leaves."""
    if size - start > 256:
        return ""
    failing = []
    for i in range(start, size):
        try:
            path = src.inclusion(i, size)
        except Problem:
            return ""
        if path is None:
            return ""
        if not verify_inclusion(tree.node(0, i), i, size, path, root):
            failing.append(i)
    if len(failing) == 1:
        return f"第 {failing[0]} 号叶子的内容与签名时不同（其包含证明不成立）。"
    if len(failing) == 2 and failing[0] ^ 1 == failing[1]:
        return (f"第 {failing[0]} 号或第 {failing[1]} 号叶子被改动过（二者互为兄弟节点，包含证明都不成立；"
                "连同 leaf_hash 一起改动时，仅凭哈希无法区分是哪一个）。")
    if failing:
        return f"包含证明不成立的叶子：{'、'.join(str(i) for i in failing[:20])}。"
    return ""


def verify(src, report: Callable[[str], None] = print) -> dict:
    """Check the whole log of `src` (a Server or an Export); raise Problem at the first inconsistency. Returns
    {"size", "root", "heads", "tree"} of the latest head on success."""
    key = load_key(src.key())
    heads = check_heads(key, src.heads())
    if not heads:
        raise Problem("日志还没有签名的树头。")
    report(f"✔ {len(heads)} 个树头的签名全部有效（公钥 SHA-256 {hashlib.sha256(src.key()).hexdigest()[:16]}…）")
    tree, pending = Tree(), list(heads)
    last_ok = 0
    end = heads[-1]["size"]
    for leaf in src.leaves(0, end):
        tree.append(check_leaf(tree.size, leaf))
        while pending and pending[0]["size"] == tree.size:
            head = pending.pop(0)
            if tree.root().hex() != head["root"]:
                where = _locate(src, tree, last_ok, head["size"], bytes.fromhex(head["root"]))
                raise Problem(f"树头（size={head['size']}，时间 {head['at']}）的根哈希 {head['root']} 与由叶子重新"
                              f"计算的 {tree.root().hex()} 不一致：第 {last_ok}–{head['size'] - 1} 号叶子中有被改动的"
                              f"（size={last_ok} 时仍一致）。{where}")
            last_ok = head["size"]
    if tree.size != end:
        raise Problem(f"只得到 {tree.size} 个叶子，最新树头的 size 是 {end}。")
    report(f"✔ {end} 个叶子的内容与 leaf_hash 一致，由叶子重新计算的树与每个树头的根哈希一致")
    for a, b in zip(heads, heads[1:]):
        proof = src.consistency(a["size"], b["size"])
        if not verify_consistency(a["size"], b["size"], bytes.fromhex(a["root"]), bytes.fromhex(b["root"]), proof):
            raise Problem(f"从树头 size={a['size']}（{a['at']}）到 size={b['size']}（{b['at']}）的一致性证明不成立。")
    if len(heads) > 1:
        report(f"✔ 相邻树头之间的 {len(heads) - 1} 个一致性证明全部成立")
    root = bytes.fromhex(heads[-1]["root"])
    checked = 0
    for i in sorted({0, end // 2, end - 1}):
        path = src.inclusion(i, end)
        if path is None:
            break
        if not verify_inclusion(tree.node(0, i), i, end, path, root):
            raise Problem(f"服务器给出的第 {i} 号叶子在 size={end} 中的包含证明不成立。")
        checked += 1
    if checked:
        report(f"✔ 服务器给出的包含证明（抽查 {checked} 个叶子）成立")
    return {"size": end, "root": heads[-1]["root"], "heads": heads, "tree": tree}


# --- the mirror --------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("用法：python logverify.py 网址或导出文件", file=sys.stderr)
        return 2
    try:
        result = verify(source(argv[0]))
    except Problem as e:
        print(f"✘ {e}")
        return 1
    print(f"验证通过：日志 {result['size']} 个叶子，根 {result['root']}。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
