"""The object directory's commit on PostgreSQL, in SQL: the stored preview rows (`import_rows.data`, JSON) are
written into `entities` by the database itself, a chunk of rows a statement, instead of being read back into
Python, converted and copied in again (most of a 100,000-row commit was that round trip). Same meaning as
`importing._apply_entities`, the portable path: an empty cell never erases what is stored (an empty 年报情况
does: "" is a value), the checksum override is always written, a new entity's 扫码 token is made by
`secrets` (the tokens are passed in, never made by the database's `random()`)."""
from sqlalchemy import select, text

from webapp.core import clock
from webapp.core.extensions import db
from webapp.core.tokens import new_token
from webapp.domain import imports
from webapp.stages.directory.models import Entity, ImportRow

CHUNK = 10_000
TEXT = ("name", "legal_rep", "address", "risk_level", "phone")  # NULL when not given
BLANK = ("status", "category")  # "" when not given


# Each row's JSON read once (json_to_record), not once per field (`data->>'f'` parses the whole text again).
_RECORD = ("json_to_record(r.data) AS d(name text, legal_rep text, address text, risk_level text, phone text, "
           "status text, category text, registered_on text, annual_report_years text, checksum_override boolean, "
           "_jurisdiction_id integer)")


def _value(field: str) -> str:
    return f"NULLIF(d.{field}, '')"


_GIVEN = {**{f: _value(f) for f in TEXT + BLANK}, "registered_on": f"{_value('registered_on')}::date",
          "annual_report_years": "d.annual_report_years"}
_OVERRIDE = "COALESCE(d.checksum_override, false)"

# Each statement answers the USCCs it stored with a checksum override (few): no second pass over the rows' JSON.
_UPDATE = text(
    "WITH w AS (UPDATE entities AS e SET "
    + ", ".join(f"{f} = COALESCE({expr}, e.{f})" for f, expr in _GIVEN.items())
    + f", checksum_override = {_OVERRIDE}, updated_at = :now"
    f" FROM import_rows AS r, {_RECORD} WHERE r.id = ANY(:ids) AND e.uscc = r.key"
    " RETURNING e.uscc, e.checksum_override) SELECT uscc FROM w WHERE checksum_override"
)
_INSERT = text(
    "WITH w AS (INSERT INTO entities (uscc, " + ", ".join(_GIVEN) + ", checksum_override, checkin_token, jurisdiction_id, "
    "updated_at) SELECT r.key, "
    + ", ".join(f"COALESCE({expr}, '')" if f in BLANK + ("annual_report_years",) else expr for f, expr in _GIVEN.items())
    + f", {_OVERRIDE}, t.token, d._jurisdiction_id, :now"
    " FROM unnest(CAST(:ids AS integer[]), CAST(:tokens AS text[])) AS t(id, token) JOIN import_rows AS r ON r.id = t.id"
    f" CROSS JOIN LATERAL {_RECORD}"
    " RETURNING uscc, checksum_override) SELECT uscc FROM w WHERE checksum_override"
)


def entities(batch, progress=None) -> dict:
    """Apply a batch's good rows; `progress(done, total)` after each chunk. Returns the counts and the USCCs
    stored with a checksum override."""
    good = (ImportRow.batch_id == batch.id, ImportRow.action.in_((imports.CREATE, imports.UPDATE)))
    rows = db.session.execute(
        select(ImportRow.id, Entity.id.is_not(None)).outerjoin(Entity, Entity.uscc == ImportRow.key)
        .where(*good).order_by(ImportRow.id)).all()
    stored = [i for i, exists in rows if exists]
    new = [i for i, exists in rows if not exists]
    now, done, overridden = clock.utcnow(), 0, []
    # The updates first: a batch's keys are unique, so none of its own inserts can be updated by mistake.
    for ids, statement in ([(stored[i:i + CHUNK], _UPDATE) for i in range(0, len(stored), CHUNK)]
                           + [(new[i:i + CHUNK], _INSERT) for i in range(0, len(new), CHUNK)]):
        params = {"ids": ids, "now": now}
        if statement is _INSERT:
            params["tokens"] = [new_token() for _ in ids]
        overridden += db.session.scalars(statement, params).all()
        done += len(ids)
        if progress is not None:
            progress(done, len(rows))
    return {"created": len(new), "updated": len(stored), "overridden": overridden}
