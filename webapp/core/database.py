"""Schema operations shared by the CLI, the demo and the tests: always through the Alembic migrations."""
import json
from enum import Enum

from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import MetaData

from webapp.core.extensions import db


def migrate_to_latest():
    # "heads" rather than "head": a branch not yet merged still applies (tests insist on one head).
    upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")


def drop_everything():
    """Drop every table of the configured database, including Alembic's own, whatever the models say."""
    meta = MetaData()
    meta.reflect(bind=db.engine)
    meta.drop_all(bind=db.engine)


def recreate():
    drop_everything()
    migrate_to_latest()


def bulk_insert(table, rows: list[dict]) -> int:
    """Insert many rows in the session's transaction, column defaults filled in as SQLAlchemy would.

    PostgreSQL gets one COPY: psycopg's executemany sends a statement per row (a 50,000-enterprise dispatch
    spent 6 s there), and SQLAlchemy's multi-row VALUES was slower still. Elsewhere, executemany."""
    if not rows:
        return 0
    db.session.info.setdefault("bulk_inserted", []).append((table, rows))  # for the dashboard's counts
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return len(rows)
    given = set(rows[0])
    columns = [c for c in table.columns if c.name in given or (c.default is not None and not c.primary_key)]
    is_json = {c.name for c in columns if isinstance(c.type, db.JSON)}

    def value(column, row):
        if column.name in row:
            v = row[column.name]
        elif column.default.is_callable:
            v = column.default.arg(None)  # SQLAlchemy wraps zero-argument defaults to take a context
        else:
            v = column.default.arg
        if isinstance(v, Enum):  # psycopg writes a plain Enum by its name; the column holds the value
            return v.value
        return json.dumps(v, ensure_ascii=False) if column.name in is_json and v is not None else v

    names = ", ".join(f'"{c.name}"' for c in columns)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([value(c, row) for c in columns])
    return len(rows)
