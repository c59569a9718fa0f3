"""A mirror of the transparency log: a local copy that raises `Alarm` when the server's new head does not extend
the head stored before (a rewritten history). Stdlib and `cryptography` only, like `logverify.py` beside it."""
import json
import os
from collections.abc import Callable

try:
    from webapp.domain.logverify import Alarm, Problem, Server, Tree, check_heads, check_leaf, load_key, verify
    from webapp.domain.merkle import verify_consistency
except ImportError:  # copied beside logverify.py and merkle.py, outside the package
    from logverify import Alarm, Problem, Server, Tree, check_heads, check_leaf, load_key  # type: ignore
    from merkle import verify_consistency  # type: ignore


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

