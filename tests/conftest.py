"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set: one database per
xdist worker), a client that keeps CSRF on and sends the token as a browser would, login helpers, the small world
of tests/factories.py, and the whole demo for the few tests of the demo itself. On SQLite the world and the demo
are built once per worker and copied into each test's database (_from_snapshot)."""
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import MetaData, select, text
from sqlalchemy.engine import make_url

from webapp import create_app
from webapp.core import database
from webapp.core.extensions import db

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.hookimpl(optionalhook=True)  # only xdist knows this hook
def pytest_xdist_auto_num_workers(config):
    """`-n auto` (pyproject's addopts) means one worker per core, at most two: this suite's machines have two, a
    one-core machine must not run two Chromiums against each other, and each worker on PostgreSQL has a database
    of its own (below), so more workers would also mean more databases than CI plans for."""
    return max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def _postgres_admin(url):
    """An autocommit connection to the server's maintenance database (`postgres`), for CREATE/DROP DATABASE."""
    import psycopg

    admin = url.set(drivername="postgresql", database="postgres")
    return psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in a temporary folder (one per worker), or TEST_DATABASE_URL. Under xdist each worker of a
    PostgreSQL run gets `<db>_<worker>` (gw0, gw1…), created if missing and dropped at the end of the session."""
    given = os.environ.get("TEST_DATABASE_URL")
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "master")  # xdist's name for this worker process
    if not given:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = make_url(given)
    if worker_id == "master" or not url.drivername.startswith("postgresql"):
        yield given
        return
    name = f"{url.database}_{worker_id}"
    with _postgres_admin(url) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    with _postgres_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _make_app(database_url, media_root):
    return create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MEDIA_ROOT": str(media_root),
        "SERVER_NAME": None,
    })


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Build the schema once per run (per worker), through the migrations, from an empty database. Returns how to
    empty it after each test, worked out once here rather than after every test: the tables with triggers of
    their own (the append-only transparency log on PostgreSQL refuses DELETE, not TRUNCATE), then the others,
    children first."""
    app = _make_app(database_url, tmp_path_factory.mktemp("media"))
    with app.app_context():
        database.recreate()
        meta = MetaData()
        meta.reflect(bind=db.engine)
        guarded = set()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                guarded = set(conn.scalars(text(
                    "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE NOT t.tgisinternal")))
        tables = [t.name for t in reversed(meta.sorted_tables) if t.name != "alembic_version"]
        quoted = ", ".join(f'"{name}"' for name in sorted(guarded))
        statements = [f"TRUNCATE {quoted} CASCADE"] if guarded else []
        statements += [f'DELETE FROM "{name}"' for name in tables if name not in guarded]
        db.engine.dispose()
    return statements


@pytest.fixture
def app(_schema, database_url, tmp_path):
    app = _make_app(database_url, tmp_path / "media")
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as conn:  # every table emptied for the next test
            for statement in _schema:
                conn.execute(text(statement))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_token(client, url="/login") -> str:
    """The CSRF token from a page, as the browser would read it from the form."""
    html = client.get(url).get_data(as_text=True)
    match = TOKEN.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username, password="lianchi2023", follow=True):
        return self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_token(self.client)},
            follow_redirects=follow,
        )

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client, "/home")})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def world(app):
    """The demo's shape, small (tests/factories.py `world`): departments, the 14 items, a small roster, every
    demo account, 40 entities of the demo directory, the 2023 plan and a current plan, no draw. Built once per
    worker and copied for each test (_from_snapshot)."""
    from tests import factories
    from webapp.stages.accounts.models import User
    from webapp.stages.directory.models import Entity, InspectorProfile
    from webapp.stages.plans.models import Plan

    ids = _from_snapshot(app, "world", _build_world)
    for model, wanted in ((Entity, ids["entities"]), (User, ids["users"].values()),
                          (InspectorProfile, [i for row in ids["roster"].values() for i in row])):
        db.session.scalars(select(model).where(model.id.in_(list(wanted)))).all()  # one query; get() below reads it
    get = db.session.get
    return factories.World(
        get(Plan, ids["old"]), get(Plan, ids["current"]), [get(Entity, i) for i in ids["entities"]],
        {name: get(User, i) for name, i in ids["users"].items()},
        {code: [get(InspectorProfile, i) for i in row] for code, row in ids["roster"].items()})


def _build_world():
    from tests import factories

    w = factories.world()
    return {"old": w.old.id, "current": w.current.id, "entities": [e.id for e in w.entities],
            "users": {name: u.id for name, u in w.users.items()},
            "roster": {code: [p.id for p in row] for code, row in w.roster.items()}}


@pytest.fixture
def dispatched(world):
    """Two records of the current plan: A with jt01 (leader), jt02, rs01, wj01 and the expert jt_expert; B
    without any of them (tests/factories.py `dispatched_pair`)."""
    from tests import factories

    return factories.dispatched_pair(world.current)


_SNAPSHOTS = {}  # name -> (database file, media folder, what the builder returned): built once per worker


def _from_snapshot(app, name, build):
    """What `build()` makes (in an app context, on a database of its own), made once per worker and copied into
    this test's database and media folder: the full demo costs seconds, a file copy milliseconds. SQLite only;
    on PostgreSQL `build()` runs in the test's own database every time."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not url.drivername.startswith("sqlite"):
        return build()
    if name not in _SNAPSHOTS:
        folder = Path(url.database).parent / f"snapshot-{name}"
        shutil.rmtree(folder, ignore_errors=True)  # what a build that failed in an earlier test left
        folder.mkdir()
        maker = _make_app(f"sqlite:///{folder / 'snapshot.db'}", folder / "media")
        with maker.app_context():
            database.migrate_to_latest()
            made = build()
            db.session.remove()
            db.engine.dispose()
        _SNAPSHOTS[name] = (folder / "snapshot.db", folder / "media", made)
    snapshot, media, made = _SNAPSHOTS[name]
    tables = db.session.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                     "AND name != 'alembic_version'")).all()
    written = db.session.scalar(text("SELECT " + " OR ".join(f'EXISTS (SELECT 1 FROM "{t}")' for t in tables)))
    assert not written, f"the test wrote rows before asking for `{name}`, whose copy would replace them: ask first"
    db.session.remove()
    db.engine.dispose()
    shutil.copyfile(snapshot, url.database)
    if media.exists():
        shutil.copytree(media, app.config["MEDIA_ROOT"], dirs_exist_ok=True)
    return made


def _load_demo():
    from webapp.faces import demo as demo_data

    made = demo_data.load()
    return dict(made, plans=[plan.id for plan in made["plans"]])


@pytest.fixture
def demo(app):
    """The full demo (webapp.faces.demo.load): departments, the 14 items, ~300 entities, ~30 inspectors,
    accounts, two plans and both ceremonies of the current one, loaded once per worker and copied for each test
    (_from_snapshot). Only for the end-to-end tests of the demo."""
    from webapp.stages.plans.models import Plan

    made = _from_snapshot(app, "demo", _load_demo)
    return dict(made, plans=[db.session.get(Plan, plan_id) for plan_id in made["plans"]])


@pytest.fixture
def demo_command(app):
    """`spotcheck demo --no-serve` (the demo, then results submitted, reviewed and published through the real
    services) as a person runs it, once per worker: its click result, and the database and media it built copied
    into this test's (_from_snapshot)."""
    return _from_snapshot(app, "demo-command", _run_demo_command)


def _run_demo_command():
    from flask import current_app

    result = current_app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    return SimpleNamespace(exit_code=result.exit_code, output=result.output)


SEED_TEXT = (Path(__file__).parent / "data" / "seed_2023.txt").read_text(encoding="utf-8")
