"""Which jurisdictions a user may see: the one their roles are held in and every one below it.

Every query of office data filters by `visible_ids(user)`; a table that belongs to an office carries
`jurisdiction_id` (FK `jurisdictions.id`)."""
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.stages.accounts.models import Jurisdiction


def below(jurisdiction_id: int) -> set[int]:
    """The jurisdiction and all its descendants (a province has two levels below it: a handful of queries)."""
    found, frontier = {jurisdiction_id}, {jurisdiction_id}
    while frontier:
        frontier = set(db.session.scalars(select(Jurisdiction.id).where(Jurisdiction.parent_id.in_(frontier))))
        frontier -= found
        found |= frontier
    return found


def visible_ids(user) -> set[int]:
    """The jurisdictions whose data `user` may read: none for a user placed nowhere."""
    if user is None or getattr(user, "jurisdiction_id", None) is None:
        return set()
    return below(user.jurisdiction_id)
