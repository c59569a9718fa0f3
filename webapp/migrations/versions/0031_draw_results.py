"""draw_selections: an entity draw's chosen entities as rows (one per entity), not a JSON list in draws.result

Existing draws move over: their `result.selected` becomes rows, `result` keeps the counts and gains `drawn` and
`drawn_by_level`.

Revision ID: 0031_draw_results
Revises: 0030_dashboard_counts
"""
import json
from collections import Counter

from alembic import op
import sqlalchemy as sa


revision = '0031_draw_results'
down_revision = '0030_dashboard_counts'
branch_labels = None
depends_on = None

draws = sa.table("draws", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("result", sa.JSON))
selections = sa.table("draw_selections", sa.column("draw_id", sa.Integer), sa.column("rank", sa.Integer),
                      sa.column("risk", sa.String), sa.column("uscc", sa.String), sa.column("score", sa.String),
                      sa.column("by", sa.String))


def _entity_draws(bind):
    for draw_id, result in bind.execute(sa.select(draws.c.id, draws.c.result).where(
            draws.c.kind == "entities", draws.c.result.is_not(None)).order_by(draws.c.id)).all():
        yield draw_id, json.loads(result) if isinstance(result, str) else result


def upgrade():
    op.create_table(
        "draw_selections",
        sa.Column("draw_id", sa.Integer(), primary_key=True, autoincrement=False),  # no FK: see the model
        sa.Column("rank", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("risk", sa.String(16), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("score", sa.String(64), nullable=False),
        sa.Column("by", sa.String(8), nullable=False),
    )
    bind = op.get_bind()
    for draw_id, result in _entity_draws(bind):
        rows = result.pop("selected", None)
        if rows is None:
            continue
        if rows:
            bind.execute(selections.insert(), [
                {"draw_id": draw_id, "rank": i, "uscc": u, "risk": r, "score": s, "by": by}
                for i, (u, r, s, by) in enumerate(rows, 1)])
        result["drawn"] = len(rows)
        result["drawn_by_level"] = dict(sorted(Counter(risk for _, risk, _, _ in rows).items()))
        bind.execute(draws.update().where(draws.c.id == draw_id).values(result=result))


def downgrade():
    bind = op.get_bind()
    for draw_id, result in _entity_draws(bind):
        rows = bind.execute(sa.select(selections.c.uscc, selections.c.risk, selections.c.score, selections.c.by)
                            .where(selections.c.draw_id == draw_id).order_by(selections.c.rank)).all()
        result.pop("drawn", None)
        result.pop("drawn_by_level", None)
        result["selected"] = [list(row) for row in rows]
        bind.execute(draws.update().where(draws.c.id == draw_id).values(result=result))
    op.drop_table("draw_selections")
