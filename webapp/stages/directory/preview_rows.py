"""A batch's planned rows written to `import_rows` (the preview the office reads and the commit applies). On
PostgreSQL one COPY for the whole batch whose text is made here, a line per row (the generic
`core.database.bulk_insert` formats cell by cell through psycopg's dumpers and keeps every row it wrote in the
session until the commit, so a 100,000-row preview held all its rows twice), kept open while the file is planned:
the server stores a chunk while Python plans the next (two cores at work, not one after the other), and the
planner's lookups ask a connection of their own (they read the directories, which a preview never writes).
Elsewhere, executemany, the lookups in the session."""
import json
from contextlib import contextmanager
from functools import partial

from sqlalchemy.orm import Session

from webapp.core.extensions import db
from webapp.stages.directory.models import ImportRow

COLUMNS = ("batch_id", "line", "action", "key", "data", "changes", "reasons", "raw", "overridable",
           "jurisdiction_id")
_COPY = f"COPY import_rows ({', '.join(COLUMNS)}) FROM STDIN"
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _text(value: str) -> str:
    """A text field in COPY's text format (backslash, tab and line ends escaped)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def _json(value, empty: str) -> str:
    # JSON text holds no raw tab or line end (json escapes them); only its backslashes need doubling for COPY.
    return _dumps(value).replace("\\", "\\\\") if value else empty


def _line(row: dict) -> str:
    key, place = row["key"], row["jurisdiction_id"]
    return "\t".join((
        str(row["batch_id"]), str(row["line"]), row["action"], "\\N" if key is None else _text(key),
        _json(row["data"], "{}"), _json(row["changes"], "{}"), _text(row["reasons"]), _json(row["raw"], "[]"),
        "t" if row["overridable"] else "f", "\\N" if place is None else str(place),
    )) + "\n"


@contextmanager
def stream(lookup):
    """(write, lookup) for one batch's plan: `write(rows)` stores `importing._row_dict`'s rows (every column of
    COLUMNS), `lookup` is the planner's `lookups` function, asked where it does not wait on the writes."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        yield (lambda rows: rows and connection.execute(ImportRow.__table__.insert(), rows)), lookup
        return
    with Session(db.engine) as apart, connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(_COPY) as copy:
        yield (lambda rows: copy.write("".join(map(_line, rows)))), partial(lookup, session=apart)
