"""What an import batch's preview says beyond its counts: how annual-report columns were read, whether the file
only updates, the rows noted or left for another office (不属本辖区), the status changes; and, for the office
a row belongs to, the rows other offices' imports forwarded to it (他辖区转来)."""
import heapq
from collections import Counter

from sqlalchemy import func, select

from webapp.core.extensions import db
from webapp.domain import annual_report, imports
from webapp.stages.accounts.models import Jurisdiction
from webapp.stages.directory import importing
from webapp.stages.directory.models import ImportBatch, ImportRow

SHOWN = 50  # status changes listed on the preview page


def read_as(batch: ImportBatch) -> list[tuple[str, int]]:
    """(header, year) of each annual-report column read by the year it names."""
    if batch.kind != "entities" or not batch.headers:
        return []
    return annual_report.read_as(batch.headers, importing.header_match(batch).colmap)


def update_only(batch: ImportBatch) -> bool:
    return batch.kind == "entities" and importing.header_match(batch).update_only


def summarise(batch: ImportBatch) -> dict:
    """The preview's summaries over the whole batch, computed once when it is read (`importing._plan`) and kept
    on it (`batch.views`), so that its page reads them instead of scanning a 1,000,000-row batch on every view:
    rows noted, rows per other jurisdiction, the status changes (their number and the first SHOWN by USCC)."""
    noted_rows, elsewhere_rows = 0, []
    for place, rows, noted_here in db.session.execute(
            select(ImportRow.jurisdiction_id, func.count(), func.count().filter(
                ImportRow.action != imports.REJECTED, ImportRow.reasons != ""))
            .where(ImportRow.batch_id == batch.id).group_by(ImportRow.jurisdiction_id)):
        noted_rows += noted_here
        if place is not None:
            elsewhere_rows.append([place, rows])
    changes = status_changes(batch)
    return {"noted": noted_rows, "elsewhere": elsewhere_rows, "status_total": len(changes),
            "status_changes": [[code, *changes[code]] for code in heapq.nsmallest(SHOWN, changes)]}


def account(views: dict, row: dict) -> dict:
    """`views` with one more planned row (`importing._row_dict`'s: an overridden row, rejected before)."""
    views = dict(views)
    if row["action"] != imports.REJECTED and row["reasons"]:
        views["noted"] += 1
    if row["jurisdiction_id"] is not None:
        views["elsewhere"] = [*views["elsewhere"], [row["jurisdiction_id"], 1]]
    if row["action"] == imports.UPDATE and "status" in (row["changes"] or {}):
        old, new = row["changes"]["status"]
        shown = sorted([*views["status_changes"], [row["key"], old or "", new or ""]])
        views["status_total"] += 1
        views["status_changes"] = shown[:SHOWN]
    return views


def views_of(batch: ImportBatch) -> dict:
    """The kept summaries (a batch read before they were kept: computed now)."""
    return batch.views if batch.views is not None else summarise(batch)


def elsewhere(batch: ImportBatch, views: dict | None = None) -> list[tuple[str, int]]:
    """(jurisdiction, rows) of the rows kept for another office, by name."""
    counts = (views or views_of(batch))["elsewhere"]
    if not counts:
        return []
    names = dict(db.session.execute(select(Jurisdiction.id, Jurisdiction.name).where(
        Jurisdiction.id.in_([place for place, _ in counts]))).all())
    per_name = Counter()
    for place, rows in counts:
        per_name[names[place]] += rows
    return sorted(per_name.items())


def status_changes(batch: ImportBatch) -> dict[str, tuple[str, str]]:
    """USCC → (old, new) registration status, for the rows the commit will update (or has updated)."""
    out = {}
    query = select(ImportRow.key, ImportRow.changes).where(
        ImportRow.batch_id == batch.id, ImportRow.action == imports.UPDATE)
    for key, changes in db.session.execute(query):
        if changes and "status" in changes:
            old, new = changes["status"]
            out[key] = (old or "", new or "")
    return out


def forwarded(visible: set[int]) -> list[dict]:
    """Committed entity batches of other offices with rows placed in `visible`: who sent how many."""
    ids = sorted(visible)
    if not ids:
        return []
    query = (
        select(ImportBatch, func.count(ImportRow.id))
        .join(ImportRow, ImportRow.batch_id == ImportBatch.id)
        .where(ImportBatch.kind == "entities", ImportBatch.status == "committed", ImportRow.jurisdiction_id.in_(ids),
               ImportBatch.jurisdiction_id.is_not(None), ImportBatch.jurisdiction_id.not_in(ids))
        .group_by(ImportBatch.id).order_by(ImportBatch.id.desc()).limit(20)
    )
    rows = db.session.execute(query).all()
    names = dict(db.session.execute(select(Jurisdiction.id, Jurisdiction.name).where(
        Jurisdiction.id.in_({b.jurisdiction_id for b, _ in rows}))).all()) if rows else {}
    return [{"batch": b, "rows": n, "from": names.get(b.jurisdiction_id, "")} for b, n in rows]


def forwarded_rows(batch: ImportBatch, visible: set[int], limit: int = 50) -> list[ImportRow]:
    return db.session.scalars(select(ImportRow).where(
        ImportRow.batch_id == batch.id, ImportRow.jurisdiction_id.in_(sorted(visible)))
        .order_by(ImportRow.line).limit(limit)).all()
