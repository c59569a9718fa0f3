"""What each role has to do now: the sections of the home page, computed from the database."""
from datetime import date

from sqlalchemy import func, select

from webapp.core import keyset
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.domain.status import RecordStatus
from webapp.faces.department.scope import visible_batches
from webapp.stages.accounts.jurisdictions import scope, visible_ids
from webapp.stages.accounts.models import Department, Jurisdiction, User
from webapp.stages.directory.models import Entity, ImportBatch, InspectorProfile
from webapp.stages.field import home as field_home
from webapp.stages.plans.models import Plan
from webapp.stages.records.models import InspectionRecord, RecordMember


def current_plans(today: date, user=None) -> list[Plan]:
    """Plans not yet over: of the jurisdictions `user` sees (all, without a user)."""
    query = select(Plan).where(Plan.window_end >= today)
    if user is not None:
        query = scope(query, Plan.jurisdiction_id, user)
    return db.session.scalars(query.order_by(Plan.window_start)).all()


def my_records(user, statuses=(RecordStatus.DISPATCHED, RecordStatus.RETURNED)) -> list[InspectionRecord]:
    if user.profile is None:
        return []
    return db.session.scalars(
        select(InspectionRecord)
        .join(RecordMember, RecordMember.record_id == InspectionRecord.id)
        .where(RecordMember.inspector_id == user.profile.id, InspectionRecord.status.in_(statuses))
        .order_by(InspectionRecord.id)
    ).all()


def department_records(department_id: int, *conditions) -> list[InspectionRecord]:
    """Records whose team includes the department."""
    return db.session.scalars(
        select(InspectionRecord)
        .where(
            InspectionRecord.id.in_(
                select(RecordMember.record_id).where(RecordMember.department_id == department_id)
            ),
            *conditions,
        )
        .order_by(InspectionRecord.id)
    ).all()


def below_names(user, jurisdiction_ids) -> dict[int, str]:
    """{id: name} of those jurisdictions that are not the user's own."""
    ids = sorted(set(jurisdiction_ids) - {user.jurisdiction_id, None})
    return dict(db.session.execute(select(Jurisdiction.id, Jurisdiction.name).where(Jurisdiction.id.in_(ids)))
                .all()) if ids else {}


def sections(user, today: date) -> list[dict]:
    """One dict per role the user holds: a title and the things waiting, each with a count and a link."""
    out = []
    if user.has_role(roles.OFFICE_ADMIN):  # the office's jurisdiction and those below it
        visible = sorted(visible_ids(user))
        departments = select(Department.id).where(Department.jurisdiction_id.in_(visible))
        plans = current_plans(today, user)
        out.append({
            "role": roles.OFFICE_ADMIN,
            "plans": plans,
            # A city's home names the district of each plan it reads but does not run.
            "places": below_names(user, {p.jurisdiction_id for p in plans}),
            "counts": {
                # exact up to keyset.EXACT_UP_TO, then the planner's estimate ("约 1,000,000": 0.17 s a view)
                "entities": keyset.label(*keyset.count(scope(select(Entity.id), Entity.jurisdiction_id, user))),
                "inspectors": db.session.scalar(select(func.count()).select_from(InspectorProfile)
                                                .where(InspectorProfile.department_id.in_(departments))),
                "users": db.session.scalar(scope(select(func.count()).select_from(User), User.jurisdiction_id, user)),
            },
            # Directory imports previewed but neither committed nor discarded.
            "pending_imports": db.session.scalars(
                visible_batches(select(ImportBatch).where(ImportBatch.status.in_(("mapping", "preview"))), user)
                .order_by(ImportBatch.id.desc()).limit(5)
            ).all(),
        })
    if user.has_role(roles.DEPT_ADMIN) and user.department_id:
        out.append({
            "role": roles.DEPT_ADMIN,
            "roster": db.session.scalar(
                select(func.count()).select_from(InspectorProfile)
                .where(InspectorProfile.department_id == user.department_id)
            ),
            "understaffed": department_records(user.department_id, InspectionRecord.understaffed.is_(True)),
            "needs_expert": department_records(user.department_id, InspectionRecord.needs_expert.is_(True)),
        })
    if user.has_role(roles.INSPECTOR, roles.EXPERT):
        records = my_records(user, field_home.STATUSES)
        out.append({"role": roles.INSPECTOR, "records": records, "deadlines": field_home.deadline_lines(records, today)})
    if user.has_role(roles.REVIEWER) and user.department_id:
        out.append({
            "role": roles.REVIEWER,
            "waiting": department_records(user.department_id, InspectionRecord.status == RecordStatus.SUBMITTED),
        })
    return out
