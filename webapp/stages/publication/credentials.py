"""Inspectors' credential tokens (亮证): issue, revoke, and what the enterprise scanning one may learn."""
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select

from webapp.core import audit, clock, qrcodes
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.stages.accounts.jurisdictions import runs
from webapp.stages.directory.models import Entity
from webapp.stages.plans.models import Plan
from webapp.stages.publication.models import CredentialCheck, InspectorCredential
from webapp.stages.records.models import InspectionRecord, RecordMember


def active_credential(profile, create: bool = True) -> InspectorCredential | None:
    """The inspector's live token; a new one is issued (and audited) when none is live. Caller commits."""
    cred = db.session.scalar(
        select(InspectorCredential)
        .where(InspectorCredential.inspector_id == profile.id, InspectorCredential.revoked_at.is_(None))
        .order_by(InspectorCredential.id.desc())
    )
    if cred is None and create:
        cred = InspectorCredential(inspector=profile)
        db.session.add(cred)
        db.session.flush()
        audit.record("credential.issue", cred, inspector_id=profile.id)
    return cred


def can_manage(user, profile) -> bool:
    """The office of the inspector's jurisdiction, or the admin of the inspector's own department, may revoke its
    credentials."""
    if user.has_role(roles.OFFICE_ADMIN):
        return runs(user, profile.department.jurisdiction_id)
    return user.has_role(roles.DEPT_ADMIN) and user.department_id == profile.department_id


def revoke(cred: InspectorCredential, user, reason: str = "") -> None:
    if cred.revoked_at is None:
        cred.revoked_at = clock.utcnow()
        cred.revoked_by_id = user.id
        audit.record("credential.revoke", cred, user=user, inspector_id=cred.inspector_id, reason=reason)


@dataclass(frozen=True)
class Validity:
    state: str  # valid | revoked | expired | not_yet | on_leave
    label: str

    @property
    def ok(self) -> bool:
        return self.state == "valid"


def validity(cred: InspectorCredential, today: date) -> Validity:
    profile = cred.inspector
    if cred.revoked:
        return Validity("revoked", "已作废：此二维码已被收回，不能作为执法证件使用")
    if profile.valid_to is None or profile.valid_to < today:
        return Validity("expired", "执法证已过有效期")
    if profile.valid_from is not None and profile.valid_from > today:
        return Validity("not_yet", "执法证尚未生效")
    if profile.status != "active":
        return Validity("on_leave", "该执法人员目前不在岗")
    return Validity("valid", "有效")


def find_entity(checkin_token: str | None = None, uscc: str | None = None) -> Entity | None:
    if checkin_token:
        return db.session.scalar(select(Entity).where(Entity.checkin_token == checkin_token))
    if uscc:
        return db.session.scalar(select(Entity).where(Entity.uscc == uscc))
    return None


def current_assignment(profile, entity: Entity, today: date) -> InspectionRecord | None:
    """The record of a plan running today on which this inspector is on the team for this entity, if any."""
    return db.session.scalar(
        select(InspectionRecord)
        .join(Plan, Plan.id == InspectionRecord.plan_id)
        .join(RecordMember, RecordMember.record_id == InspectionRecord.id)
        .where(
            InspectionRecord.entity_id == entity.id,
            RecordMember.inspector_id == profile.id,
            Plan.window_start <= today,
            Plan.window_end >= today,
        )
        .order_by(Plan.window_start.desc())
        .limit(1)
    )


def check_allowed(cred: InspectorCredential, ip: str) -> bool:
    """Whether one more assignment check may run: within the last hour, fewer than CREDENTIAL_CHECKS_PER_HOUR
    on this credential and fewer than CREDENTIAL_CHECKS_PER_ADDRESS from this address. An enterprise checks
    the inspector in front of it once or twice; trying many USCCs would reveal the draw's assignments before
    an unannounced inspection."""
    since = clock.utcnow() - timedelta(hours=1)

    def count(condition) -> int:
        return db.session.scalar(
            select(func.count()).select_from(CredentialCheck).where(CredentialCheck.at >= since, condition))

    config = current_app.config
    return (count(CredentialCheck.credential_id == cred.id) < config["CREDENTIAL_CHECKS_PER_HOUR"]
            and count(CredentialCheck.ip == ip) < config["CREDENTIAL_CHECKS_PER_ADDRESS"])


def note_check(cred: InspectorCredential, ip: str) -> None:
    db.session.add(CredentialCheck(credential_id=cred.id, ip=ip))
    db.session.commit()


def payload(profile) -> tuple[InspectorCredential, dict]:
    """The active credential (issued now if there is none: the caller commits) and what the 亮证 screen shows."""
    cred = active_credential(profile)
    url = qrcodes.credential_url(cred)
    return cred, {
        "token": cred.token,
        "url": url,
        "qr_png_data_url": qrcodes.data_url(url),
        "name": profile.name,
        "department": profile.department.name,
        "certificate": profile.certificate_no,
        "valid_from": clock.iso(profile.valid_from),
        "valid_to": clock.iso(profile.valid_to),
        "state": validity(cred, clock.today()).state,
    }

