"""Office pages at a small size: a fixed number of SQL statements, so an N+1 is a failing test, not a slow page;
and the directory pages by keyset with a USCC prefix / name search."""
import contextlib

import pytest
from sqlalchemy import event

from tests import factories
from webapp.core import keyset
from webapp.core.extensions import db


@contextlib.contextmanager
def statements():
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _statements_for(client, url) -> int:
    client.get(url)  # warm: the session, the user, the templates
    with statements() as seen:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(seen)


@pytest.mark.parametrize("url", ["/directory/entities", "/directory/entities?q=培训", "/directory/entities?risk=high"])
def test_the_directory_page_takes_the_same_few_statements_whatever_its_size(app, world, client, auth, url):
    auth.login("office")
    small = _statements_for(client, url)
    factories.entities(60)
    db.session.commit()
    assert _statements_for(client, url) == small <= 10


def test_the_directory_pages_by_keyset_to_the_end_without_repeating_an_entity(app, world, client, auth):
    auth.login("office")
    seen, url = [], "/directory/entities"
    from webapp.stages.directory.models import Entity

    total = db.session.query(Entity).count()
    after = None
    while True:
        with app.test_request_context():
            page = keyset.page(db.select(Entity), Entity.id, after, 25)
        seen += [e.id for e in page.items]
        if page.next_after is None:
            break
        assert f"after={page.next_after}" in client.get(url + (f"?after={after}" if after else "")).get_data(True)
        after = page.next_after
    assert sorted(seen) == seen and len(set(seen)) == total


def test_counts_past_the_threshold_are_labelled_as_estimates(app, world):
    from webapp.stages.directory.models import Entity

    n, estimated = keyset.count(db.select(Entity), exact_up_to=5)
    assert estimated and n >= 6
    assert keyset.Page([], None, None, 111_234, True).count_label == "约 111,000 条"
    assert keyset.Page([], None, None, 17, False).count_label == "17 条"


def test_a_uscc_prefix_finds_by_prefix_and_a_name_part_by_name(app, world, client, auth):
    from webapp.stages.directory.models import Entity

    auth.login("office")
    e = db.session.scalars(db.select(Entity).order_by(Entity.id)).first()
    html = client.get(f"/directory/entities?q={e.uscc[:12]}").get_data(True)
    assert e.uscc in html
    assert e.uscc not in client.get(f"/directory/entities?q={e.uscc[4:14]}").get_data(True)  # not a prefix
    assert e.uscc in client.get(f"/directory/entities?q={e.name[2:6]}").get_data(True)
    assert "没有符合条件" in client.get("/directory/entities?q=%25_%25").get_data(True)  # LIKE wildcards are text
