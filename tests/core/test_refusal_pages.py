"""The one refusal path of the pages (webapp/core/errors.py): a view names where a refusal goes back to
(`back_to`) or shows its form again (`show_again`); the handler rolls back and flashes the reason. Without either, a
refused POST goes back to a same-site page that answers GET, else home; never to a POST-only address."""
import pytest
from flask import url_for
from sqlalchemy import func, select

from webapp.core import errors
from webapp.core.extensions import db
from webapp.domain.refusal import Refused
from webapp.stages.accounts.models import Department

pytestmark = pytest.mark.own_app  # the probe routes are added to the app


@pytest.fixture
def probe(app):
    """POST-only probe routes on a fresh app; CSRF off (the probes carry no form)."""
    app.config["WTF_CSRF_ENABLED"] = False

    def write_then_refuse():
        db.session.add(Department(code="probe", name="探针部门"))
        db.session.flush()
        raise Refused("不能这样做。")

    def with_back_to():
        errors.back_to(url_for("main.index", _anchor="here"))
        write_then_refuse()

    def with_form():
        errors.show_again(lambda: ("表单又来了", 422))
        write_then_refuse()

    def mark_only():
        errors.back_to("/somewhere")
        return "ok"

    for name, view in (("plain", write_then_refuse), ("back", with_back_to), ("form", with_form),
                       ("mark", mark_only)):
        app.add_url_rule(f"/_probe/{name}", f"probe_{name}", view, methods=["POST"])
    return app.test_client()


def _flashes(client):
    with client.session_transaction() as session:
        return session.get("_flashes", [])


def _departments():
    return db.session.scalar(select(func.count()).select_from(Department))


def test_back_to_is_where_the_reason_is_flashed_and_nothing_written_stays(probe):
    response = probe.post("/_probe/back", headers={"Referer": "http://localhost/public/"})
    assert response.status_code == 302 and response.headers["Location"] == "/#here"
    assert _flashes(probe) == [("error", "不能这样做。")]
    assert _departments() == 0


def test_show_again_answers_the_form_with_the_reason(probe):
    response = probe.post("/_probe/form")
    assert response.status_code == 422 and response.get_data(as_text=True) == "表单又来了"
    assert _flashes(probe) == [("error", "不能这样做。")]
    assert _departments() == 0


@pytest.mark.parametrize("referer, target", [
    ("http://localhost/public/?q=1", "http://localhost/public/?q=1"),  # the page the form was on
    ("http://localhost/_probe/plain", "/home"),  # POST-only: never sent back there
    ("http://localhost/no/such/page", "/home"),
    ("http://evil.example/public/", "/home"),  # another site
    (None, "/home"),
])
def test_without_back_to_a_refused_post_goes_to_a_page_that_answers_get(probe, referer, target):
    response = probe.post("/_probe/plain", headers={"Referer": referer} if referer else {})
    assert response.status_code == 302 and response.headers["Location"] == target
    assert _flashes(probe) == [("error", "不能这样做。")]


def test_a_json_client_gets_the_one_error_shape_not_a_redirect(probe):
    response = probe.post("/_probe/back", headers={"Accept": "application/json"})
    assert response.status_code == 409 and response.get_json() == {"error": "不能这样做。"}
    assert _departments() == 0


def test_a_target_does_not_outlive_its_request(probe):
    """Tests keep one app context (one `g`) across requests: a later request must not inherit a back_to."""
    assert probe.post("/_probe/mark").status_code == 200
    response = probe.post("/_probe/plain")
    assert response.headers["Location"] == "/home"
