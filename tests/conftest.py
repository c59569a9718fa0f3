"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set: one database per
xdist worker), a client that keeps CSRF on and sends the token as a browser would, login helpers, the small world
of tests/factories.py, and the whole demo for the few tests of the demo itself. Once per worker: the app (shared,
its configuration restored after each test), the migrations, and on SQLite the world and the demo, copied into each
test's database (_from_snapshot); the SQLite files live in RAM where there is /dev/shm."""
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from sqlalchemy import MetaData, select, text
from sqlalchemy.engine import make_url

from webapp import create_app
from webapp.core import database
from webapp.core.extensions import db

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def redis_url(db_number: int) -> str:
    """A test module's Redis database (8 to 15): its own number in the first xdist worker, that number less 8 in
    the second, so that two tests of one module running at once on the two workers do not empty each other's
    queue (xdist hands out tests, not modules). TEST_REDIS_URL puts every test on one (a run beside others on a
    shared Redis, one test at a time)."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    assert 8 <= db_number <= 15 and worker < 2, (db_number, worker)  # two workers at most (below)
    db_number -= 8 * worker
    return os.environ.get("TEST_REDIS_URL") or f"redis://127.0.0.1:6379/{db_number}"


def waiting_jobs(db_number: int):
    """A `queued` fixture for a test module: its jobs go to Redis database `db_number` and wait there (no worker
    runs), so that the test looks at them before it runs them; the queue is emptied afterwards."""
    broker = redis_url(db_number)

    @pytest.fixture
    def queued(app):
        app.config["JOBS_BROKER_URL"] = broker
        yield broker
        app.config["JOBS_BROKER_URL"] = ""
        redis.Redis.from_url(broker).delete("spotcheck")  # the queue (webapp.core.jobs: task_default_queue), nothing else

    return queued


@pytest.hookimpl(optionalhook=True)  # only xdist knows this hook
def pytest_xdist_auto_num_workers(config):
    """`-n auto` (pyproject's addopts) means one worker per core, at most two: this suite's machines have two, a
    one-core machine must not run two Chromiums against each other, and each worker on PostgreSQL has a database
    of its own (below), so more workers would also mean more databases than CI plans for."""
    return max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


# The tests that take longest, run first: under xdist's `load` distribution a long test picked up at the end of
# the run keeps one worker busy while the other has nothing left (a tail). Then the browser tests; then the rest,
# in collection order (the sort is stable, and the same in every worker, as xdist requires).
LONG = ("tests/integration/test_api_fuzz.py", "tests/webkit/", "tests/core/test_two_servers.py",
        "tests/core/test_jobs_celery.py")


def pytest_collection_modifyitems(config, items):
    def rank(item):
        for i, prefix in enumerate(LONG):
            if item.nodeid.startswith(prefix):
                return i
        return len(LONG) + (0 if item.get_closest_marker("browser") else 1)

    items.sort(key=rank)


def _postgres_admin(url):
    """An autocommit connection to the server's maintenance database (`postgres`), for CREATE/DROP DATABASE."""
    import psycopg

    admin = url.set(drivername="postgresql", database="postgres")
    return psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True)


RAM = Path("/dev/shm")


def _memory_folder():
    """A folder of this worker's in RAM (Linux's /dev/shm), for the SQLite files: every commit of a test on a disk
    waits for fsync (about 17 ms each on this machine's disk, under load, against 0.7 ms in RAM) and a test
    commits tens of times. None where there is no /dev/shm: the pytest temporary folder, on disk, as before."""
    import tempfile

    if not (RAM.is_dir() and os.access(RAM, os.W_OK)):
        return None
    return Path(tempfile.mkdtemp(prefix="spotcheck-tests-", dir=RAM))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """SQLite in a temporary folder (one per worker), or TEST_DATABASE_URL. Under xdist each worker of a
    PostgreSQL run gets `<db>_<worker>` (gw0, gw1…), created if missing and dropped at the end of the session."""
    given = os.environ.get("TEST_DATABASE_URL")
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "master")  # xdist's name for this worker process
    if not given:
        folder = _memory_folder() or tmp_path_factory.mktemp("db")
        yield f"sqlite:///{folder / 'test.db'}"
        if folder.is_relative_to(RAM):
            shutil.rmtree(folder, ignore_errors=True)
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
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):  # the migrated file, for the snapshots to start from (_from_snapshot)
        _MIGRATED[database_url] = Path(url.database).with_name("migrated.db")
        shutil.copyfile(url.database, _MIGRATED[database_url])
    return statements


_MIGRATED = {}  # SQLite database URL -> a copy of its file just after the migrations, before any test


_SHARED_APP = {}  # database URL -> the app every test of this worker shares (building one costs ~90 ms of CPU)


def _shape(app):
    """What a test could add to an app: routes, request hooks, error handlers, template helpers (counted, not keyed:
    Flask fills its hook dictionaries with empty entries as it serves). A shared app whose shape changed during a
    test is dropped, and the next test builds another."""
    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs,
             app.template_context_processors, app.url_value_preprocessors, app.url_default_functions)
    handlers = sum(len(by_class) for by_code in app.error_handler_spec.values() for by_class in by_code.values())
    return (len(app.url_map._rules), len(app.view_functions), len(app.teardown_appcontext_funcs), handlers,
            len(app.jinja_env.filters), len(app.jinja_env.globals),
            *(sum(len(funcs) for funcs in hook.values()) for hook in hooks))


@pytest.fixture
def app(request, _schema, database_url, tmp_path):
    """The app on this worker's database, emptied after the test, with its media under tmp_path. Built once per
    worker and shared (its configuration and static folder restored after each test); a test marked `own_app` (it adds routes or
    request hooks) gets a fresh one."""
    media = tmp_path / "media"
    shared = not request.node.get_closest_marker("own_app")
    if shared:
        if database_url not in _SHARED_APP:
            _SHARED_APP[database_url] = _make_app(database_url, media)
        app = _SHARED_APP[database_url]
        config, shape, static = dict(app.config), _shape(app), app.static_folder
        app.config["MEDIA_ROOT"] = str(media)
    else:
        app = _make_app(database_url, media)
    try:
        with app.app_context():
            yield app
            db.session.remove()
            with db.engine.begin() as conn:  # every table emptied for the next test
                for statement in _schema:
                    conn.execute(text(statement))
            db.engine.dispose()
    finally:
        if shared:
            app.config.clear()
            app.config.update(config)
            app.static_folder = static   # a test that deploys a release serves a copy of the files
            if _shape(app) != shape:
                _SHARED_APP.pop(database_url, None)


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

    def by_id(model, wanted):  # one query per model (the session keeps only weak references: hold the rows here)
        return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(list(wanted))))}

    entities, users = by_id(Entity, ids["entities"]), by_id(User, ids["users"].values())
    profiles = by_id(InspectorProfile, [i for row in ids["roster"].values() for i in row])
    plans = by_id(Plan, (ids["old"], ids["current"]))
    return factories.World(
        plans[ids["old"]], plans[ids["current"]], [entities[i] for i in ids["entities"]],
        {name: users[i] for name, i in ids["users"].items()},
        {code: [profiles[i] for i in row] for code, row in ids["roster"].items()})


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
        migrated = _MIGRATED.get(app.config["SQLALCHEMY_DATABASE_URI"])
        if migrated:  # the schema _schema migrated: a copy, not the migrations again (a second or more each)
            shutil.copyfile(migrated, folder / "snapshot.db")
        maker = _make_app(f"sqlite:///{folder / 'snapshot.db'}", folder / "media")
        with maker.app_context():
            if not migrated:
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
