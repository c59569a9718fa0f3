"""A batch's planned rows written to `import_rows` (the preview the office reads and the commit applies). On
PostgreSQL one COPY per chunk whose text is made here, a line per row: the generic `core.database.bulk_insert`
formats cell by cell through psycopg's dumpers and keeps every row it wrote in the session until the commit (for
the dashboard's counts, which import rows never touch), so a 100,000-row preview held all its rows twice.
Elsewhere, executemany."""
import json

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


def write(rows: list[dict]) -> None:
    """`rows`: `importing._row_dict`'s, every column of COLUMNS."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(ImportRow.__table__.insert(), rows)
        return
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(_COPY) as copy:
            copy.write("".join(map(_line, rows)))
