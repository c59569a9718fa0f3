"""An entity draw's chosen entities, one DrawSelection row each in rank order: written at the execution (COPY on
PostgreSQL, executemany elsewhere), read by the pages, the confirmations, the records and the manifest."""
from collections import Counter

from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import func, select

from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.stages.draw.models import DrawSelection

S = DrawSelection
ROW = (S.uscc, S.risk, S.score, S.by)


def store(draw_id: int, selection: algo.Selection, meanwhile=lambda: None) -> None:
    """Write the selection in the session's transaction. `meanwhile()`, which must not use the database, runs while
    PostgreSQL takes in the rows (a thread sends them): the execution hashes its manifest there."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy('COPY draw_selections (draw_id, rank, risk, uscc, score, "by") FROM STDIN',
                             writer=QueuedLibpqWriter(cursor)) as copy:
                for piece in selection.copy_text(f"{draw_id}\t"):
                    copy.write(piece)
                meanwhile()
        return
    size = 50_000
    for start in range(0, len(selection), size):
        connection.execute(S.__table__.insert(), [
            {"draw_id": draw_id, "rank": start + i, "uscc": u, "risk": r, "score": s, "by": by}
            for i, (u, r, s, by) in enumerate(selection.rows(start, start + size), 1)])
    meanwhile()


def rows(draw_id: int, limit: int | None = None) -> list[tuple[str, str, str, str]]:
    """(uscc, risk, score, by) in rank order; the first `limit` only, if given."""
    query = select(*ROW).where(S.draw_id == draw_id).order_by(S.rank)
    return [tuple(r) for r in db.session.execute(query.limit(limit) if limit else query)]


def usccs(draw_id: int) -> list[str]:
    return list(db.session.scalars(select(S.uscc).where(S.draw_id == draw_id).order_by(S.rank)))


def count(draw_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(S).where(S.draw_id == draw_id))


def by_level(draw_id: int) -> dict[str, int]:
    return dict(sorted(Counter(dict(db.session.execute(
        select(S.risk, func.count()).where(S.draw_id == draw_id).group_by(S.risk)).all())).items()))


def contains(draw_id: int, uscc: str) -> bool:
    return db.session.scalar(select(S.rank).where(S.draw_id == draw_id, S.uscc == uscc).limit(1)) is not None
