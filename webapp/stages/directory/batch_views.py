"""What an import batch's preview says beyond its counts: how annual-report columns were read, whether the file
only updates, the rows noted or left for another office (不属本辖区), the status changes; and, for the office
a row belongs to, the rows other offices' imports forwarded to it (他辖区转来)."""
from sqlalchemy import func, select

from webapp.core.extensions import db
from webapp.domain import annual_report, imports
from webapp.stages.accounts.models import Jurisdiction
from webapp.stages.directory import importing
from webapp.stages.directory.models import ImportBatch, ImportRow


def read_as(batch: ImportBatch) -> list[tuple[str, int]]:
    """(header, year) of each annual-report column read by the year it names."""
    if batch.kind != "entities" or not batch.headers:
        return []
    return annual_report.read_as(batch.headers, importing.header_match(batch).colmap)


def update_only(batch: ImportBatch) -> bool:
    return batch.kind == "entities" and importing.header_match(batch).update_only


def noted(batch: ImportBatch) -> int:
    """Rows imported with a note (a value not read, e.g. an annual-report mark)."""
    return db.session.scalar(select(func.count()).select_from(ImportRow).where(
        ImportRow.batch_id == batch.id, ImportRow.action != imports.REJECTED, ImportRow.reasons != ""))


def elsewhere(batch: ImportBatch) -> list[tuple[str, int]]:
    """(jurisdiction, rows) of the rows kept for another office."""
    return [(name, n) for name, n in db.session.execute(
        select(Jurisdiction.name, func.count()).join(ImportRow, ImportRow.jurisdiction_id == Jurisdiction.id)
        .where(ImportRow.batch_id == batch.id).group_by(Jurisdiction.name).order_by(Jurisdiction.name))]


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
