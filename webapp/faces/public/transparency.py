"""The transparency log in public, no login (docs/transparency-log.md): a readable page, the public key, every
signed tree head, the leaves page by page, inclusion and consistency proofs, and one page per leaf."""
import json

from flask import Response, abort, render_template, request

from webapp.core import ledger
from webapp.faces.public import bp


def _json(value, status=200):
    return Response(json.dumps(value, ensure_ascii=False), status=status, mimetype="application/json",
                    headers={"Access-Control-Allow-Origin": "*"})


def _int(name, default=None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        if default is None:
            abort(_json({"error": f"缺少参数 {name}。"}, 400))
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(_json({"error": f"参数 {name} 应为非负整数。"}, 400))
    if value < 0:
        abort(_json({"error": f"参数 {name} 应为非负整数。"}, 400))
    return value


def _refuse(message):
    abort(_json({"error": message}, 400))


@bp.app_context_processor
def _log_kinds():
    return {"LOG_KINDS": ledger.KIND_LABELS}


@bp.app_template_global()
def log_leaves(ref: str):
    """The log's leaves about an object and its parts (`record:<token>` and `record:<token>:…`), for its page."""
    return ledger.leaves_of(ref)


@bp.route("/transparency/")
def transparency():
    head = ledger.latest_head()
    size = ledger.size()
    recent = ledger.leaves(max(0, size - 20), size)[::-1]
    for row in recent:
        row["parsed"] = json.loads(row["body"])
    return render_template("transparency/index.html", head=ledger.head_json(head) if head else None,
                           key=ledger.public_key_pem(), size=size, recent=recent, page=ledger.PAGE,
                           heads=len(ledger.heads()), log_id=ledger.LOG_ID)


@bp.route("/transparency/key.pem")
def transparency_key():
    return Response(ledger.public_key_pem(), mimetype="application/x-pem-file")


@bp.route("/transparency/heads.json")
def transparency_heads():
    return _json({"log": ledger.LOG_ID, "heads": [ledger.head_json(h) for h in ledger.heads()]})


@bp.route("/transparency/leaves")
def transparency_leaves():
    size = ledger.size()
    start = _int("start", 0)
    end = _int("end", min(size, start + ledger.PAGE))
    if end < start:
        _refuse("end 不能小于 start。")
    if end - start > ledger.PAGE:
        _refuse(f"每次最多 {ledger.PAGE} 个叶子。")
    if end > size:
        _refuse(f"日志只有 {size} 个叶子。")
    return _json({"log": ledger.LOG_ID, "start": start, "end": end, "leaves": ledger.leaves(start, end)})


def _tree_size(name) -> int:
    head = ledger.latest_head()
    value = _int(name, head.size if head else 0)
    if not 0 < value <= ledger.size():
        _refuse(f"{name} 应在 1 到 {ledger.size()} 之间。")
    return value


@bp.route("/transparency/proof/inclusion")
def transparency_inclusion():
    size = _tree_size("size")
    index = _int("index")
    if index >= size:
        _refuse(f"第 {index} 号叶子不在大小为 {size} 的树中。")
    head = ledger.head_at(size)
    leaf = ledger.leaf(index)
    return _json({"index": index, "size": size, "leaf_hash": leaf.leaf_hash,
                  "path": [h.hex() for h in ledger.inclusion(index, size)],
                  "root": head.root if head else ledger.root(size).hex(),
                  "head": ledger.head_json(head) if head else None})


@bp.route("/transparency/proof/consistency")
def transparency_consistency():
    new = _tree_size("new")
    old = _int("old")
    if not 0 < old <= new:
        _refuse("应满足 0 < old ≤ new。")
    return _json({"old": old, "new": new, "proof": [h.hex() for h in ledger.consistency(old, new)]})


@bp.route("/transparency/leaf/<int:index>")
def transparency_leaf(index):
    leaf = ledger.leaf(index)
    if leaf is None:
        abort(404, "日志中没有这个叶子。")
    head = ledger.latest_head()
    path = ledger.inclusion(index, head.size) if head and index < head.size else []
    parsed = json.loads(leaf.body)
    ref = leaf.ref or ""
    about = None
    if ref.startswith("draw:"):
        about = ("抽取公示", f"/public/draws/{ref.split(':')[1]}")
    elif ref.startswith("record:"):
        about = ("检查记录核验", f"/v/{ref.split(':')[1]}")
    return render_template("transparency/leaf.html", leaf=leaf, parsed=parsed, head=head, path=path, about=about,
                           pretty=json.dumps(parsed, ensure_ascii=False, indent=1, sort_keys=True))
