"""The schema comes from the migrations alone, and they describe the models exactly, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from webapp.core.extensions import db


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_every_model_table_exists_after_upgrade(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_db_upgrade_command_builds_a_fresh_sqlite_database(tmp_path, monkeypatch):
    from webapp import create_app

    url = f"sqlite:///{tmp_path}/fresh.db"
    monkeypatch.setenv("DATABASE_URL", url)
    app = create_app()
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert {"users", "entities", "plans", "inspection_records"} <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_the_migrations_have_one_head(app):
    """`spotcheck db upgrade` goes to "head": a new branch must be merged."""
    from alembic.script import ScriptDirectory

    config = app.extensions["migrate"].migrate.get_config(app.extensions["migrate"].directory)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_large_draw_columns_use_lz4_on_postgresql(app):
    """0008: the million-entity population and result are compressed with lz4, not pglz (the draw's 3 s)."""
    from sqlalchemy import text

    if db.engine.dialect.name != "postgresql":
        assert db.engine.dialect.name == "sqlite"  # no per-column compression to set there
        return
    rows = dict(db.session.execute(text(
        "SELECT attname, attcompression FROM pg_attribute "
        "WHERE attrelid = 'draws'::regclass AND attname IN ('population', 'result')")).all())
    assert rows == {"population": "l", "result": "l"}
