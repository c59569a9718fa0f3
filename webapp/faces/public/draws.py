"""The public draw pages (no login): every attempt of every plan, its commitment and seed at once; the enterprise
list and the teams (the full manifest) once the plan's inspection window has closed or the office disclosed it."""
import json

from flask import Response, abort, render_template
from sqlalchemy import select

from webapp.core import ledger
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.faces.office.draw import SHOWN, _entities_by_uscc
from webapp.faces.public import bp
from webapp.stages.draw import disclosure, selection
from webapp.stages.draw.ceremony import DrawRefused
from webapp.stages.draw.models import Draw


@bp.route("/public/draws")
def draws():
    draws = db.session.scalars(select(Draw).order_by(Draw.plan_id.desc(), Draw.id)).all()
    plans = {}
    for d in draws:
        plans.setdefault(d.plan, []).append(d)
    return render_template("draw/public_list.html", plans=plans)


@bp.route("/public/draws/<int:draw_id>")
def draw(draw_id):
    draw = db.get_or_404(Draw, draw_id)
    disclosed = disclosure.disclosed(draw)
    rows, total, teams = [], 0, {}
    if disclosed and draw.kind == algo.ENTITIES:
        rows, total = selection.rows(draw.id, SHOWN), selection.count(draw.id)
    elif disclosed:
        rows, total = draw.result["entities"][:SHOWN], len(draw.result["entities"])
        for t in draw.result["teams"]:
            teams.setdefault(t["uscc"], []).append(t)
    names = _entities_by_uscc(r[0] for r in rows)
    excluded = sum(len(c.exclusions) for c in draw.confirmations) if draw.kind == algo.ENTITIES else 0
    return render_template("draw/public_draw.html", draw=draw, rows=rows, total=total, names=names,
                           teams=teams, disclosed=disclosed, summary=disclosure.public_summary(draw),
                           excluded=excluded, leaves=ledger.leaves_of(f"draw:{draw.id}"))


@bp.route("/public/draws/<int:draw_id>/manifest.json")
def draw_manifest(draw_id):
    """The full manifest once disclosed; before, the public summary (which fixes it: digest, commitment, the
    manifest's SHA-256)."""
    draw = db.get_or_404(Draw, draw_id)
    if draw.status != "executed":
        abort(404, f"第 {draw.id} 号抽取{draw.STATUS_LABELS[draw.status]}，只有已执行的抽取才有清单。")
    if not disclosure.disclosed(draw):
        summary = dict(disclosure.public_summary(draw), note="检查时限届满前只公开摘要、承诺值和种子；完整清单（对象名单和"
                                                           "检查组）届满后在此公开，其 SHA-256 应等于 manifest_sha256。")
        return Response(json.dumps(summary, ensure_ascii=False, indent=1), mimetype="application/json")
    try:
        chunks = disclosure.manifest_chunks(draw)
    except DrawRefused as e:
        abort(404, str(e))
    return Response((c.encode("utf-8") for c in chunks), mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename=draw-{draw.id}-manifest.json"})
