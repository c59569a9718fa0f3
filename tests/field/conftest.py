"""A record dispatched by hand on the demo's current plan, on an enterprise the demo's draw left alone: jt01
leads, jt02, rs01 and wj01 are on the team, jt_expert is appointed; a second record without jt01."""
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.stages.accounts.models import User
from webapp.stages.directory.models import Entity, InspectorProfile
from webapp.stages.records.models import InspectionRecord, RecordMember


@dataclass
class Dispatched:
    record: InspectionRecord
    other: InspectionRecord
    plan: object


@pytest.fixture
def dispatched(demo):
    plan = demo["plans"][1]
    users = {u.username: u for u in db.session.scalars(select(User)).all()}
    taken = select(InspectionRecord.entity_id).where(InspectionRecord.plan_id == plan.id)  # the demo's own draw
    entities = db.session.scalars(select(Entity).where(Entity.id.not_in(taken)).order_by(Entity.id).limit(2)).all()
    record = InspectionRecord(plan=plan, entity=entities[0])
    for username, leader, kind in (("jt01", True, "drawn"), ("jt02", False, "drawn"), ("rs01", False, "drawn"),
                                   ("wj01", False, "drawn"), ("jt_expert", False, "expert")):
        profile = users[username].profile
        record.members.append(RecordMember(
            inspector=profile, department_id=profile.department_id, is_leader=leader, kind=kind,
            reason="协助检查专业事项" if kind == "expert" else None))
    others = db.session.scalars(
        select(InspectorProfile).where(InspectorProfile.user_id.is_(None), InspectorProfile.is_expert.is_(False))
        .order_by(InspectorProfile.id).limit(2)).all()
    other = InspectionRecord(plan=plan, entity=entities[1])
    for i, profile in enumerate(others):
        other.members.append(RecordMember(inspector=profile, department_id=profile.department_id, is_leader=i == 0))
    db.session.add_all([record, other])
    db.session.commit()
    return Dispatched(record, other, plan)
