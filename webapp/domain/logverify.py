"""An independent verifier of the spotcheck transparency log (docs/transparency-log.md), in one file.

Standard library and `cryptography` only, no Flask, no database: copy this file and run it. It reads the log
over HTTP (`/transparency/…`) or from an export (`spotcheck log-export FILE`, JSON Lines) and checks

  1. every signed tree head's Ed25519 signature, with the log's public key;
  2. every leaf: its body is valid JSON naming its own index, and SHA-256(0x00 ‖ body) is its leaf_hash;
  3. the Merkle tree recomputed from the leaves (RFC 9162 §2.1.1) against the root of every signed head;
  4. the consistency proof between every two successive heads (RFC 9162 §2.1.4), as the server gives it;
  5. a sample of the server's inclusion proofs (RFC 9162 §2.1.3).

It stops at the first inconsistency and says precisely which head or leaf it is. `mirror()` keeps a local copy
and raises `Alarm` when the server's new head does not extend the head stored before (a rewritten history).

    python -m webapp.domain.logverify https://ssj.example.gov.cn         # or: spotcheck verify-log URL_OR_FILE
"""
import base64
import hashlib
import json
import os
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

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


def leaf_hash(body: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + body).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class Tree:
    """A Merkle tree built leaf by leaf, keeping the hash of every complete subtree in one bytearray per level
    (32 bytes a node: a million leaves take 64 MB), so any prefix's root costs O(log n)."""

    def __init__(self):
        self.levels: list[bytearray] = [bytearray()]
        self.size = 0

    def append(self, h: bytes) -> None:
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

    def node(self, level: int, index: int) -> bytes:
        return bytes(self.levels[level][32 * index:32 * index + 32])

    def subtree(self, start: int, end: int) -> bytes:
        """MTH of leaves start..end-1 (RFC 9162's ranges): complete subtrees from the left, folded from the right."""
        if start >= end:
            return hashlib.sha256(b"").digest()
        parts = []
        while start < end:
            level = 0
            while start % (1 << (level + 1)) == 0 and start + (1 << (level + 1)) <= end:
                level += 1
            parts.append(self.node(level, start >> level))
            start += 1 << level
        out = parts.pop()
        while parts:
            out = node_hash(parts.pop(), out)
        return out

    def root(self, size: int | None = None) -> bytes:
        return self.subtree(0, self.size if size is None else size)


def _sides(fn: int, sn: int, path: Sequence[bytes]) -> list[bool] | None:
    """The walk of RFC 9162 §2.1.3.2 / §2.1.4.2: per hash of `path`, whether it is a left sibling."""
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


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        return False
    sides = _sides(index, size - 1, path)
    if sides is None:
        return False
    r = leaf
    for p, left in zip(path, sides):
        r = node_hash(p, r) if left else node_hash(r, p)
    return r == root


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2."""
    if old == new:
        return not proof and old_root == new_root
    if not 0 < old < new or not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:
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


# --- heads -------------------------------------------------------------------------------------------------

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

def _read_json(path, default):
    if not os.path.exists(path):
        return default
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def mirror(src: Server, directory: str, report: Callable[[str], None] = print) -> dict:
    """Bring the local copy in `directory` up to the server's latest head: key.pem (pinned at the first run),
    heads.json (every head verified here), leaves.jsonl (one leaf a line). Raises Alarm when the new head does
    not extend the stored one; the two heads are then kept in alarm-<size>.json and nothing is overwritten."""
    os.makedirs(directory, exist_ok=True)
    key_path, heads_path = os.path.join(directory, "key.pem"), os.path.join(directory, "heads.json")
    leaves_path = os.path.join(directory, "leaves.jsonl")
    served_key = src.key()
    if os.path.exists(key_path):
        with open(key_path, "rb") as f:
            if f.read().strip() != served_key.strip():
                raise Alarm("服务器的公钥与本地保存的不同：日志换了签名密钥。请向日志运营方核实。")
    key = load_key(served_key)
    stored = _read_json(heads_path, [])
    served = check_heads(key, src.heads())
    if not served:
        raise Problem("服务器还没有签名的树头。")
    new = served[-1]
    if not stored:
        result = verify(src, report)
        with open(leaves_path, "w", encoding="utf-8") as f:
            for leaf in src.leaves(0, new["size"]):
                f.write(json.dumps({"index": leaf["index"], "leaf_hash": leaf["leaf_hash"], "body": leaf["body"]},
                                   ensure_ascii=False) + "\n")
        with open(key_path, "wb") as f:
            f.write(served_key)
        _write_json(heads_path, result["heads"])
        report(f"已建立本地副本：{new['size']} 个叶子，根 {new['root']}")
        return {"size": new["size"], "new": new["size"]}
    old = stored[-1]

    def alarm(why: str):
        _write_json(os.path.join(directory, f"alarm-{new['size']}.json"), {"stored": old, "served": new, "why": why})
        raise Alarm(f"警报：{why} 本地保存的树头 size={old['size']}、根 {old['root']}（{old['at']}）；服务器现在的树头 "
                    f"size={new['size']}、根 {new['root']}（{new['at']}）。两者都由日志的密钥签名，证据已存于 "
                    f"{directory}/alarm-{new['size']}.json。")

    same_size = [h for h in served if h["size"] == old["size"]]
    if same_size and same_size[0]["root"] != old["root"]:
        alarm(f"服务器对 size={old['size']} 给出了另一个根哈希：历史被改写（日志分叉）。")
    if new["size"] < old["size"]:
        alarm("服务器的日志比本地保存的还短：历史被删改。")
    if new["size"] == old["size"]:
        report(f"没有新的叶子（size={old['size']}，根一致）。")
        return {"size": old["size"], "new": 0}
    try:
        proof = src.consistency(old["size"], new["size"])
    except Problem as e:
        alarm(f"服务器给不出从 size={old['size']} 到 size={new['size']} 的一致性证明（{e}）。")
    if not verify_consistency(old["size"], new["size"], bytes.fromhex(old["root"]), bytes.fromhex(new["root"]), proof):
        alarm(f"服务器的新树头与本地保存的旧树头不一致：从 size={old['size']} 到 size={new['size']} 的一致性证明不成立，"
              "历史被改写。")
    tree = Tree()
    with open(leaves_path, encoding="utf-8") as f:
        for line in f:
            tree.append(bytes.fromhex(json.loads(line)["leaf_hash"]))
    if tree.size != old["size"] or tree.root().hex() != old["root"]:
        raise Problem(f"本地副本 {leaves_path} 与本地保存的树头不一致（本地文件被改动过？）。")
    added = []
    for leaf in src.leaves(old["size"], new["size"]):
        tree.append(check_leaf(tree.size, leaf))
        added.append({"index": leaf["index"], "leaf_hash": leaf["leaf_hash"], "body": leaf["body"]})
    if tree.root().hex() != new["root"]:
        alarm(f"服务器给出的新叶子（第 {old['size']}–{new['size'] - 1} 号）算出的根与其签名的树头不同。")
    with open(leaves_path, "a", encoding="utf-8") as f:
        for leaf in added:
            f.write(json.dumps(leaf, ensure_ascii=False) + "\n")
    _write_json(heads_path, stored + [h for h in served if h["size"] > old["size"]])
    report(f"✔ 新树头 size={new['size']} 与本地保存的 size={old['size']} 一致；追加了 {len(added)} 个叶子。")
    return {"size": new["size"], "new": len(added)}


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
