"""An office's integration: a world placed in 莲池区, a token of that office, and a client that sends it."""
import pytest
from sqlalchemy import update

from tests import factories
from webapp.core.extensions import db
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department, User
from webapp.stages.directory.models import Entity
from webapp.stages.integration import tokens
from webapp.stages.plans.models import Plan

ALL = tuple(tokens.SCOPES)


def place_everything(home_id: int) -> None:
    for model in (Plan, Entity, Department, User):
        db.session.execute(update(model).values(jurisdiction_id=home_id))
    db.session.commit()


@pytest.fixture
def home(app):
    return jurisdictions.default()


@pytest.fixture
def placed(world, home):
    place_everything(home.id)
    return world


class TokenClient:
    def __init__(self, client, raw):
        self.client, self.raw = client, raw

    def _h(self, headers):
        return dict({"Authorization": f"Bearer {self.raw}"}, **(headers or {}))

    def get(self, url, headers=None, **kw):
        return self.client.get(url, headers=self._h(headers), **kw)

    def post(self, url, headers=None, **kw):
        return self.client.post(url, headers=self._h(headers), **kw)


def issue(scopes=ALL, jurisdiction_id=None, name="省平台对接"):
    office = factories.get_user("office")
    token, raw = tokens.issue(name, scopes, jurisdiction_id or office.jurisdiction_id, office)
    db.session.commit()
    return token, raw


@pytest.fixture
def api(client, placed):
    _, raw = issue()
    return TokenClient(client, raw)
