"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set), a client that
keeps CSRF on and sends the token as a browser would, login helpers, and the demo data."""
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import MetaData

from webapp import create_app
from webapp.core import database
from webapp.core.extensions import db

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _make_app(database_url, media_root):
    return create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MEDIA_ROOT": str(media_root),
        "SERVER_NAME": None,
    })


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Build the schema once per run, through the migrations, from an empty database."""
    app = _make_app(database_url, tmp_path_factory.mktemp("media"))
    with app.app_context():
        database.recreate()
        db.engine.dispose()
    return True


@pytest.fixture
def app(_schema, database_url, tmp_path):
    app = _make_app(database_url, tmp_path / "media")
    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()


def _empty_all_tables():
    meta = MetaData()
    meta.reflect(bind=db.engine)
    with db.engine.begin() as conn:
        for table in reversed(meta.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())


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
def demo(app):
    """The full demo: departments, the 14 items, ~300 entities, ~30 inspectors, accounts and two plans."""
    from webapp.faces import demo as demo_data

    return demo_data.load()


SEED_TEXT = (Path(__file__).parent / "data" / "seed_2023.txt").read_text(encoding="utf-8")
