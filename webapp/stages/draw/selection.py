"""An entity draw's chosen entities, one DrawSelection row each in rank order: written at the execution (COPY on
PostgreSQL, executemany elsewhere), read by the pages, the confirmations, the records and the manifest.

The rows hold no score: it is SHA-256(seed || "entity" || uscc), recomputed here (compiled) for what is read. On
PostgreSQL the table has a BRIN index on (draw_id, rank), not a B-tree: the readers ask for a draw's rows by rank
range (a page's first rows, or the whole list 50,000 at a time), which reads only the blocks that hold them."""
import threading
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy import text as text_sql

from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.stages.draw.models import Draw, DrawSelection

S = DrawSelection
BATCH = 50_000
INDEX = "ix_draw_selections_draw_id_rank"


def store(draw_id: int, selection: algo.Selection, meanwhile=lambda: None) -> None:
    """Write the selection in the session's transaction. `meanwhile()`, which must not use the database, runs while
    PostgreSQL takes in the rows (a thread formats and sends them, one piece at a time): the execution hashes its
    manifest there. Then the BRIN index summarises the new blocks, so that the first reads find them at once."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        failed = []

        def send():
            try:
                with driver.cursor() as cursor:
                    with cursor.copy('COPY draw_selections (draw_id, rank, risk, uscc, "by") FROM STDIN') as copy:
                        for piece in selection.copy_text(f"{draw_id}\t"):
                            copy.write(piece)
            except BaseException as e:  # re-raised in the caller's thread
                failed.append(e)

        sender = threading.Thread(target=send, name=f"draw-{draw_id}-copy")
        sender.start()
        try:
            meanwhile()
        finally:
            sender.join()
        if failed:
            raise failed[0]
        connection.execute(text_sql(f"SELECT brin_summarize_new_values('{INDEX}'::regclass)"))
        return
    for start in range(0, len(selection), BATCH):
        connection.execute(S.__table__.insert(), [
            {"draw_id": draw_id, "rank": start + i, "uscc": u, "risk": r, "by": by}
            for i, (u, r, _, by) in enumerate(selection.rows(start, start + BATCH), 1)])
    meanwhile()


def _scored(seed: str, found) -> list[tuple[str, str, str, str]]:
    """(uscc, risk, score, by) from (uscc, risk, by) rows: the scores computed, compiled, for the whole batch."""
    keys = algo.keyed(bytes.fromhex(seed) + b"entity", [uscc.encode("ascii") for uscc, _, _ in found])
    return [(uscc, risk, key[:32].hex(), by) for (uscc, risk, by), key in zip(found, keys)]


def rows(draw_id: int, limit: int | None = None) -> list[tuple[str, str, str, str]]:
    """(uscc, risk, score, by) in rank order; the first `limit` only, if given (one statement)."""
    if limit:
        seed = select(Draw.seed).where(Draw.id == draw_id).scalar_subquery()
        found = db.session.execute(select(S.uscc, S.risk, S.by, seed).where(
            S.draw_id == draw_id, S.rank <= limit).order_by(S.rank)).all()
        return _scored(found[0][3], [r[:3] for r in found]) if found else []
    return [row for batch in batches(draw_id) for row in batch]


def batches(draw_id: int, size: int = BATCH):
    """The rows of `rows(draw_id)` in lists of up to `size`, read by rank range (bounded memory, no sort of the whole
    selection)."""
    seed = db.session.scalar(select(Draw.seed).where(Draw.id == draw_id))
    start = 0
    while True:
        found = db.session.execute(select(S.uscc, S.risk, S.by).where(
            S.draw_id == draw_id, S.rank > start, S.rank <= start + size).order_by(S.rank)).all()
        if not found:
            return
        yield _scored(seed, found)
        start += size


def usccs(draw_id: int) -> list[str]:
    return list(db.session.scalars(select(S.uscc).where(S.draw_id == draw_id).order_by(S.rank)))


def count(draw_id: int) -> int:
    """How many the draw chose: kept with its counts at the execution (no scan of its rows)."""
    outcome = db.session.scalar(select(Draw.outcome).where(Draw.id == draw_id))
    return int((outcome or {}).get("drawn", 0))


def by_level(draw_id: int) -> dict[str, int]:
    return dict(sorted(Counter(dict(db.session.execute(
        select(S.risk, func.count()).where(S.draw_id == draw_id).group_by(S.risk)).all())).items()))


def contains(draw_id: int, uscc: str) -> bool:
    return db.session.scalar(select(S.rank).where(S.draw_id == draw_id, S.uscc == uscc).limit(1)) is not None
