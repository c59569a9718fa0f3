"""The demo's draws: both ceremonies for the current plan, run through the real service, so that the demo
inspectors (jt01, jt02, rs01, wj01) have dispatched 一企一表 on their phones."""
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.stages.accounts.models import User
from webapp.stages.directory.models import Entity
from webapp.stages.draw import ceremony as service
from webapp.stages.draw import confirmation
from webapp.stages.draw.models import DrawExclusion
from webapp.stages.records import dispatch

# The witness read out at the demo ceremonies. The nonce is fresh on every run, so the draw differs each time;
# every demo inspector still gets tasks whatever it gives, because matching is load-balanced (no eligible
# inspector has two fewer assignments than another of the department) and the list (~120 enterprises) is
# longer than any department's roster (at most 11 eligible).
WITNESS = "演示见证：观察员读数 07 19 23 31 42"


def run(plan) -> dict:
    office = db.session.scalar(select(User).where(User.username == "office"))
    entities = service.prepare(plan, algo.ENTITIES, office, "demo")
    dispatch.execute(entities, WITNESS, office, "demo")
    db.session.flush()
    admins = {u.department_id: u for u in db.session.scalars(select(User).where(User.username.like("%_admin")))}
    for conf in entities.confirmations:
        admin = admins[conf.department_id]
        if conf.department.code == "renshe":
            # One recorded exclusion, so that the public page shows what one looks like.
            uscc = entities.result["selected"][-1][0]
            entity = db.session.scalar(select(Entity).where(Entity.uscc == uscc))
            confirmation.exclude(conf, entity, "not_ours", "该机构未聘用劳动合同制员工，不属人社监管事项", admin)
        confirmation.confirm(conf, admin)
    db.session.flush()
    inspectors = service.prepare(plan, algo.INSPECTORS, office, "demo")
    dispatch.execute(inspectors, WITNESS, office, "demo")
    db.session.commit()
    return {"entities": entities, "inspectors": inspectors, "excluded": DrawExclusion.REASONS["not_ours"]}
