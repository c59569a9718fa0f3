"""What a registration-status import does to the plans not yet drawn (草拟): how many entities stop being eligible.
A drawn plan's population is frozen in its draw, so only draft plans are counted. The rules are the reference's
(`domain.eligibility.exclusion_reason`), applied to each changed entity with its old and with its new status."""
from dataclasses import replace

from sqlalchemy import select

from webapp.core.extensions import db
from webapp.domain import eligibility
from webapp.stages.accounts import jurisdictions
from webapp.stages.directory.models import Entity
from webapp.stages.plans.models import Plan

CHUNK = 1000


def _draft_plans(jurisdiction_id: int | None) -> list[tuple[Plan, set[int] | None]]:
    """Draft plans that can draw from the importing office's directory: its own, those below it and those above
    it (a city-wide plan spans its districts), each with the jurisdictions it draws from."""
    plans = db.session.scalars(select(Plan).where(Plan.status == "draft").order_by(Plan.id)).all()
    if jurisdiction_id is None:
        return [(p, jurisdictions.below(p.jurisdiction_id) if p.jurisdiction_id else None) for p in plans]
    mine = jurisdictions.below(jurisdiction_id)
    out = []
    for p in plans:
        area = jurisdictions.below(p.jurisdiction_id) if p.jurisdiction_id is not None else set()
        if area & mine:
            out.append((p, area))
    return out


def ineligible_after(status_changes: dict[str, tuple[str, str]], jurisdiction_id: int | None) -> dict:
    """{"entities": n, "plans": [(plan, n), …]}: entities eligible for a draft plan now that the new status
    excludes."""
    plans = _draft_plans(jurisdiction_id)
    per_plan = {p.id: 0 for p, _ in plans}
    lost: set[str] = set()
    codes = sorted(status_changes)
    for start in range(0, len(codes) if plans else 0, CHUNK):
        for e in db.session.scalars(select(Entity).where(Entity.uscc.in_(codes[start:start + CHUNK]))):
            old, new = status_changes[e.uscc]
            before = replace(e.facts(), status=old)  # as it was, also once the batch is committed
            after = replace(before, status=new)
            for p, area in plans:
                if area is not None and e.jurisdiction_id not in area:
                    continue
                rules = p.rules
                if eligibility.exclusion_reason(rules, before) is None and \
                        eligibility.exclusion_reason(rules, after) is not None:
                    per_plan[p.id] += 1
                    lost.add(e.uscc)
    return {"entities": len(lost), "plans": [(p, per_plan[p.id]) for p, _ in plans if per_plan[p.id]]}
