"""Import batches against the database: read and plan a file (the dry run), store the preview, then commit it in
one transaction. Used by the web pages and the `spotcheck import-*` commands alike."""
import io
from datetime import date

from sqlalchemy import delete, select, text, update

from webapp.core import audit, clock, keyset
from webapp.core.database import bulk_insert
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.core.tokens import new_token
from webapp.domain import cells, filenames, import_roster, imports, tabular
from webapp.domain.refusal import Refused
from webapp.stages.accounts.models import Department
from webapp.stages.directory import apply_sql, batch_views, placing, preview_rows
from webapp.stages.directory.lookups import ENTITY_FIELDS, INSPECTOR_FIELDS, LOOKUPS
from webapp.stages.directory.lookups import key_values as _pairs
from webapp.stages.directory.models import Conflict, Entity, ImportBatch, ImportRow, InspectorProfile

DATE_FIELDS = {"registered_on", "valid_from", "valid_to"}
# A new entity: every column a Core insert needs, so that rows with and without optional cells batch together.
NEW_ENTITY = {f: None for f in ENTITY_FIELDS} | {"annual_report_years": "", "status": "", "category": ""}
INSERT_CHUNK = 1000
PROGRESS_EVERY = 5  # chunks between two progress writes (each its own transaction)
READING, UNREADABLE = "reading", "unreadable"


class ImportFailed(Refused):
    """A file or a batch that cannot be imported; the message is for the office, in Chinese."""

    status = 422


def _departments() -> dict[str, int]:
    out = {}
    for d in db.session.scalars(select(Department)):
        out[d.name] = out[d.code] = d.id
    return out


def spec_for(batch: ImportBatch) -> imports.Spec:
    if batch.kind == "entities":
        return imports.entity_spec(batch.overrides or (), placing.Placement(batch.jurisdiction_id).reason)
    if batch.kind == "inspectors":
        name = batch.department.name if batch.department else ""
        return import_roster.inspector_spec(_departments(), batch.department_id, name)
    return import_roster.conflict_spec(batch.department_id)


# --- the dry run ---------------------------------------------------------------------------------------------------

def start(kind: str, filename: str, data: bytes, user=None, department_id: int | None = None,
          mapping: dict | None = None, overrides=(), jurisdiction_id: int | None = None) -> ImportBatch:
    """Read the file, keep it, and plan it, all at once (the command line). Raises ImportFailed for a file that is
    not a usable spreadsheet, having written nothing. `jurisdiction_id`: the office whose directory it updates
    (default: the user's; the command line names it)."""
    table = _read(data)
    batch = receive(kind, filename, data, user, department_id, mapping, overrides, jurisdiction_id)
    _plan_read(batch, table, user)
    return batch


def receive(kind: str, filename: str, data: bytes, user=None, department_id: int | None = None,
            mapping: dict | None = None, overrides=(), jurisdiction_id: int | None = None) -> ImportBatch:
    """Keep the file and open its batch, not read yet (status "reading"): `read` plans it, in a job for the web.
    Only what is plainly no spreadsheet is refused here (its first bytes)."""
    try:
        fmt = tabular.sniff(data)
    except tabular.NotASpreadsheet as e:
        raise ImportFailed(str(e)) from e
    batch = ImportBatch(
        kind=kind, filename=filenames.clean(filename, 200), file_sha256=storage().put(data), file_format=fmt,
        headers=[], mapping=dict(mapping or {}), overrides=sorted({o.strip().upper() for o in overrides if o.strip()}),
        department_id=department_id, created_by_id=getattr(user, "id", None), status=READING, summary={},
        # The office's directory (None: a command-line import on a single-jurisdiction platform, writing everywhere).
        jurisdiction_id=jurisdiction_id if jurisdiction_id is not None else getattr(user, "jurisdiction_id", None),
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def read(batch: ImportBatch, user=None, progress=None):
    """Read a received batch's file and plan it (committed). A file that cannot be read raises ImportFailed, the
    session rolled back; `unreadable` then closes the batch with the reason."""
    _plan_read(batch, _read(storage().read(batch.file_sha256)), user, progress)


def unreadable(batch_id: int, reason: str):
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.status == READING)
                       .values(status=UNREADABLE, summary={"error": reason}))
    db.session.commit()


def _read(data: bytes) -> tabular.Table:
    try:
        return tabular.read_table(data)
    except tabular.NotASpreadsheet as e:
        raise ImportFailed(str(e)) from e


def _plan_read(batch: ImportBatch, table: tabular.Table, user, progress=None):
    batch.file_format, batch.encoding, batch.headers = table.format, table.encoding, table.headers
    _plan(batch, table, progress)
    audit.record("import.preview", batch, user=user, kind=batch.kind, filename=batch.filename, summary=batch.summary,
                 via="web" if user else "cli")
    db.session.commit()


def remap(batch: ImportBatch, mapping: dict, user=None):
    """The office's answer for unknown headers: the stored file is to be read again with it (`read`; a job for
    the web, `preview_job.again`)."""
    _require_open(batch)
    batch.mapping, batch.status = dict(mapping), READING
    audit.record("import.remap", batch, user=user, mapping=batch.mapping)
    db.session.flush()


def header_match(batch: ImportBatch) -> imports.HeaderMatch:
    return imports.match_headers(batch.headers, spec_for(batch), batch.mapping)


def _plan(batch: ImportBatch, table: tabular.Table, progress=None):
    db.session.execute(delete(ImportRow).where(ImportRow.batch_id == batch.id))
    spec = spec_for(batch)
    match = imports.match_headers(table.headers, spec, batch.mapping)
    batch.unknown_headers = match.unknown
    if not match.ok:
        batch.status, batch.summary = "mapping", {}
        getattr(table.rows, "close", lambda: None)()  # closes the workbook
        return
    summary = imports.Summary()
    buffer, line, chunks = [], 0, 0
    with preview_rows.stream(LOOKUPS[batch.kind]) as (write, lookup):  # one COPY on PostgreSQL
        for row in imports.plan(table.rows, spec, match.colmap, lookup, summary, match.update_only):
            buffer.append(_row_dict(batch.id, row))
            if len(buffer) >= INSERT_CHUNK:
                write(buffer)
                buffer, chunks = [], chunks + 1
                if progress is not None and chunks % PROGRESS_EVERY == 0:  # (lines planned of the file's: the bar)
                    progress(row.line, max(table.lines or 0, row.line))
            line = row.line
        write(buffer)
    if progress is not None:
        progress(max(table.lines or 0, line), max(table.lines or 0, line))
    batch.status, batch.summary = "preview", summary.as_dict()
    batch.views = batch_views.summarise(batch) if batch.kind == "entities" else None


def _row_dict(batch_id: int, row: imports.RowPlan) -> dict:
    """What the preview and the commit need: values to write for create/update, the cells as written for rejected
    rows (the download, an override), the name for every row shown."""
    applies = row.action in (imports.CREATE, imports.UPDATE)
    data = row.values if applies else {k: row.values[k] for k in ("name", "_entity_name") if row.values.get(k)}
    rejected = row.action == imports.REJECTED
    elsewhere = rejected and any(r.startswith(placing.ELSEWHERE) for r in row.reasons)
    return {
        "batch_id": batch_id, "line": row.line, "action": row.action, "key": (row.key or "")[:120] or None,
        "data": data, "changes": row.changes, "reasons": row.reason if rejected else "；".join(row.notes),
        "raw": row.raw if rejected else [], "overridable": row.overridable,
        "jurisdiction_id": row.values.get("_jurisdiction_id") if elsewhere else None,
    }


def override_checksum(batch: ImportBatch, line: int, user=None) -> ImportRow:
    """Accept one row's USCC despite its failing checksum: the office has checked the code by hand (audited)."""
    _require_open(batch)
    row = db.session.scalar(select(ImportRow).where(ImportRow.batch_id == batch.id, ImportRow.line == line))
    if batch.kind != "entities" or row is None or not row.overridable:
        raise ImportFailed("该行不能按例外接受。")
    batch.overrides = sorted(set(batch.overrides or []) | {row.key})
    spec = spec_for(batch)
    match = header_match(batch)
    planned = next(imports.plan([(row.line, row.raw)], spec, match.colmap, LOOKUPS[batch.kind],
                                update_only=match.update_only))
    counts = dict(batch.summary)
    counts[row.action] -= 1
    counts[planned.action] = counts.get(planned.action, 0) + 1
    batch.summary = counts
    values = _row_dict(batch.id, planned)
    for name, value in values.items():
        setattr(row, name, value)
    if batch.views is not None:
        batch.views = batch_views.account(batch.views, values)
    audit.record("entity.checksum_override", batch, user=user, uscc=row.key, line=line)
    db.session.commit()
    return row


def _require_open(batch: ImportBatch):
    if batch.status == READING:
        raise ImportFailed("该批次的文件正在读取，请在读取完成后再操作。")
    if batch.status not in ("mapping", "preview"):
        raise ImportFailed("该批次已导入或已放弃，不能再修改。")


def discard(batch: ImportBatch, user=None):
    _require_open(batch)
    batch.status = "discarded"
    audit.record("import.discard", batch, user=user)
    db.session.commit()


# --- the commit ------------------------------------------------------------------------------------------------

def commit(batch: ImportBatch, user=None, progress=None) -> dict:
    """Apply the stored preview in one transaction: every good row, or (on any error) nothing. `progress(done,
    total)` hears of each chunk of rows applied (a job's progress bar, the CLI's)."""
    claimed = db.session.execute(
        update(ImportBatch).where(ImportBatch.id == batch.id, ImportBatch.status == "preview")
        .values(status="committed", committed_at=clock.utcnow(), committed_by_id=getattr(user, "id", None))
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise ImportFailed("该批次不在预览状态（可能已导入、已放弃或尚未对应表头）。")
    try:
        applied = APPLY[batch.kind](batch, user, progress)
        audit.record(f"{batch.kind}.import", batch, user=user, filename=batch.filename, applied=applied,
                     overrides=batch.overrides, via="web" if user else "cli")
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    _analyze_after_bulk(batch.kind, applied)
    db.session.refresh(batch)
    return applied


def _analyze_after_bulk(kind: str, applied: dict):
    """After a bulk load PostgreSQL's statistics lag until autovacuum runs; the next import's lookups would be
    planned as if the table were empty. Refresh them now."""
    if db.engine.dialect.name != "postgresql" or applied.get("created", 0) + applied.get("updated", 0) < 1000:
        return
    table = {"entities": "entities", "inspectors": "inspector_profiles", "conflicts": "conflicts"}[kind]
    db.session.execute(text(f"ANALYZE {table}, import_rows"))
    db.session.commit()


def _good_rows(batch: ImportBatch, progress=None):
    """The rows to apply, in chunks, by id (keyset) so memory stays flat on 100,000 rows."""
    last, done = 0, 0
    total = sum((batch.summary or {}).get(a, 0) for a in (imports.CREATE, imports.UPDATE))
    while True:
        chunk = db.session.execute(
            select(ImportRow.id, ImportRow.key, ImportRow.data)
            .where(ImportRow.batch_id == batch.id, ImportRow.id > last,
                   ImportRow.action.in_((imports.CREATE, imports.UPDATE)))
            .order_by(ImportRow.id).limit(INSERT_CHUNK)
        ).all()
        if not chunk:
            return
        yield chunk
        last, done = chunk[-1].id, done + len(chunk)
        if progress is not None:
            progress(done, max(total, done))


def _model_values(data: dict, fields, clearable=()) -> dict:
    out = {}
    for name in fields:
        if name in data and (data[name] not in (None, "") or (data[name] == "" and name in clearable)):
            value = data[name]
            out[name] = date.fromisoformat(value) if name in DATE_FIELDS else value
    return out


def _apply_entities(batch, user, progress=None) -> dict:
    if db.engine.dialect.name == "postgresql":  # in SQL, by the database (apply_sql)
        done = apply_sql.entities(batch, progress)
        created, updated, overridden = done["created"], done["updated"], done["overridden"]
    else:
        created, updated, overridden = _apply_entities_here(batch, progress)
    for code in overridden:
        audit.record("entity.checksum_override.stored", None, user=user, uscc=code, batch=batch.id)
    return {"created": created, "updated": updated, "checksum_overrides": len(overridden)}


def _apply_entities_here(batch, progress=None) -> tuple[int, int, list[str]]:
    created = updated = 0
    overridden = []
    # What is stored, for every good row at once, before anything is inserted: per chunk, the lookup ran against a
    # table growing inside the transaction with statistics that said it was empty (a sequential scan each time,
    # over a minute for 100,000 rows). A batch's keys are unique, so its own inserts never answer a later chunk.
    existing = _pairs(select(Entity.uscc, Entity.id).join(ImportRow, ImportRow.key == Entity.uscc)
                      .where(ImportRow.batch_id == batch.id, ImportRow.action.in_((imports.CREATE, imports.UPDATE))))
    for chunk in _good_rows(batch, progress):
        new, changed = [], []
        for r in chunk:
            values = _model_values(r.data, ENTITY_FIELDS, ("annual_report_years",))
            values["checksum_override"] = bool(r.data.get("checksum_override"))
            if values["checksum_override"]:
                overridden.append(r.key)
            if r.key in existing:
                changed.append({"id": existing[r.key], **values})
            else:
                new.append({**NEW_ENTITY, **values, "checkin_token": new_token(),
                            "jurisdiction_id": r.data.get("_jurisdiction_id")})
        bulk_insert(Entity.__table__, new)  # every dict has the same keys
        if changed:
            db.session.execute(update(Entity), changed)
        created += len(new)
        updated += len(changed)
    return created, updated, overridden


def _apply_inspectors(batch, user, progress=None) -> dict:
    created = updated = 0
    for chunk in _good_rows(batch, progress):
        existing = {
            p.certificate_no: p for p in db.session.scalars(
                select(InspectorProfile).where(InspectorProfile.certificate_no.in_([r.key for r in chunk])))
        }
        for r in chunk:
            values = _model_values(r.data, INSPECTOR_FIELDS)
            if batch.department_id is not None:
                values["department_id"] = batch.department_id
            profile = existing.get(r.key)
            if profile is None:
                values.setdefault("qualifications", [])
                values.setdefault("is_expert", False)
                values.setdefault("status", "active")
                profile = InspectorProfile(**values)
                db.session.add(profile)
                created += 1
            else:
                for name, value in values.items():
                    setattr(profile, name, value)
                updated += 1
    return {"created": created, "updated": updated}


def _apply_conflicts(batch, user, progress=None) -> dict:
    created = updated = 0
    for chunk in _good_rows(batch, progress):
        pairs = [r.key.split("|", 1) for r in chunk]
        inspectors = _pairs(select(InspectorProfile.certificate_no, InspectorProfile.id)
                                             .where(InspectorProfile.certificate_no.in_({c for c, _ in pairs})))
        entities = _pairs(select(Entity.uscc, Entity.id).where(Entity.uscc.in_({u for _, u in pairs})))
        for r, (cert, code) in zip(chunk, pairs):
            if cert not in inspectors or code not in entities:
                raise ImportFailed(f"执法证号 {cert} 或统一社会信用代码 {code} 已不在名录库中，请重新上传文件。")
            conflict = db.session.scalar(select(Conflict).filter_by(inspector_id=inspectors[cert], entity_id=entities[code]))
            if conflict is None:
                db.session.add(Conflict(inspector_id=inspectors[cert], entity_id=entities[code],
                                        reason=r.data["reason"], declared_by_id=getattr(user, "id", None)))
                created += 1
            else:
                conflict.reason = r.data["reason"]
                updated += 1
    return {"created": created, "updated": updated}


APPLY = {"entities": _apply_entities, "inspectors": _apply_inspectors, "conflicts": _apply_conflicts}


# --- reading a batch back ------------------------------------------------------------------------------------------

def rows(batch: ImportBatch, action: str | None = None, after: int | None = None, per_page: int = 50):
    """One page of the batch's rows (of one action), by line: keyset on the line after `after` (never OFFSET),
    the count exact up to keyset.EXACT_UP_TO and estimated past it (keyset.Page)."""
    query = select(ImportRow).where(ImportRow.batch_id == batch.id)
    if action:
        query = query.where(ImportRow.action == action)
    return keyset.page(query, ImportRow.line, after, per_page)


def rejected_xlsx(batch: ImportBatch, jurisdiction_ids=None) -> bytes:
    """The rejected rows as written, with a 原因 column: fix them and import the file again. `jurisdiction_ids`:
    only the rows kept for those jurisdictions (不属本辖区), for their office."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("未导入的行")
    # Cells as written, but never as formulas: a rejected row is exactly where a hostile file's =HYPERLINK(…) is.
    sheet.append(cells.row([*batch.headers, "原因", "原行号"]))
    width = len(batch.headers)
    query = (select(ImportRow.raw, ImportRow.reasons, ImportRow.line)
             .where(ImportRow.batch_id == batch.id, ImportRow.action == imports.REJECTED).order_by(ImportRow.line))
    if jurisdiction_ids is not None:
        query = query.where(ImportRow.jurisdiction_id.in_(sorted(jurisdiction_ids)))
    for raw, reasons, line in db.session.execute(query):
        written = (list(raw) + [""] * width)[:width]
        sheet.append(cells.row([*written, reasons, line]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


