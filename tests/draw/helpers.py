"""Small actions for the draw tests: run the ceremonies through the service as the office would."""
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.stages.accounts.models import User
from webapp.stages.draw import ceremony as service
from webapp.stages.draw import confirmation
from webapp.stages.plans.models import Plan
from webapp.stages.records import dispatch


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def plan(n):
    """The n-th plan of the demo (1 = the 2023 plan, 2 = the current one), whatever ids the database gave."""
    return db.session.scalars(select(Plan).order_by(Plan.id)).all()[n - 1]


def entity_draw(p, witness="12 34 56"):
    d = service.prepare(p, algo.ENTITIES, user("office"), "test")
    dispatch.execute(d, witness, user("office"), "test")
    db.session.commit()
    return d


def confirm_all(d):
    for conf in d.confirmations:
        if conf.confirmed_at is None:
            confirmation.confirm(conf, user({"jiaoti": "jt_admin", "renshe": "rs_admin", "weijian": "wj_admin"}[
                conf.department.code]))
    db.session.commit()


def inspector_draw(p, witness=""):
    d = service.prepare(p, algo.INSPECTORS, user("office"), "test")
    dispatch.execute(d, witness, user("office"), "test")
    db.session.commit()
    return d
