"""The public draw pages (no login): every attempt of every plan, its commitment, seed and manifest."""
from flask import Response, abort, render_template
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.faces.office.draw import SHOWN, _entities_by_uscc
from webapp.faces.public import bp
from webapp.stages.draw import ceremony
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
    rows = []
    if draw.status == "executed":
        rows = draw.result["selected"] if draw.kind == algo.ENTITIES else draw.result["entities"]
    names = _entities_by_uscc(r[0] for r in rows)
    teams = {}
    if draw.kind == algo.INSPECTORS and draw.status == "executed":
        for t in draw.result["teams"]:
            teams.setdefault(t["uscc"], []).append(t)
    return render_template("draw/public_draw.html", draw=draw, rows=rows[:SHOWN], total=len(rows), names=names,
                           teams=teams)


@bp.route("/public/draws/<int:draw_id>/manifest.json")
def draw_manifest(draw_id):
    draw = db.get_or_404(Draw, draw_id)
    try:
        chunks = ceremony.manifest_chunks(draw)
    except DrawRefused as e:
        abort(404, str(e))
    return Response((c.encode("utf-8") for c in chunks), mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename=draw-{draw.id}-manifest.json"})

