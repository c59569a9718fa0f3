"""The enterprise and the public take part: rectification evidence (整改), objections (异议) and questions (咨询)
of an inspected enterprise, and the public's tip-offs (举报) with their handling. Every row belongs to the
department in charge and its jurisdiction (the office's scope, `accounts.jurisdictions.visible_ids`)."""
from datetime import date, datetime

from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.stages.records.models import belongs_to_record


class InCharge:
    """The department in charge of a row, and its jurisdiction (the office's scope): every table here has both."""

    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"), index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True)

    @declared_attr
    def department(cls):
        return relationship("Department")


class OfRecord(InCharge):
    """What the inspected enterprise sends about one inspection record, to the department in charge."""

    record_id: Mapped[int] = belongs_to_record()

    @declared_attr
    def record(cls):
        return relationship("InspectionRecord")


class Rectification(OfRecord, db.Model):
    """整改材料: what the enterprise sends for one open follow-up task, and the department's decision on it."""

    __tablename__ = "rectifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(db.ForeignKey("follow_up_tasks.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(db.Text)
    status: Mapped[str] = mapped_column(db.String(16), default="submitted", index=True)  # submitted|accepted|returned
    submitted_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(db.Text)

    LABELS = {"submitted": "待部门审核", "accepted": "已认可，后续监管已办结", "returned": "已退回，请补充整改材料"}

    follow_up = relationship("FollowUpTask")


class Objection(OfRecord, db.Model):
    """异议 to one department's published result; answered within its working-day deadline."""

    __tablename__ = "objections"
    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(db.ForeignKey("review_parts.id", ondelete="CASCADE"), index=True)
    reasons: Mapped[str] = mapped_column(db.Text)
    filed_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    answer_due: Mapped[date] = mapped_column()
    answer_due_provisional: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(db.String(16), default="pending", index=True)  # pending|upheld|rejected
    answer: Mapped[str | None] = mapped_column(db.Text)
    previous_codes: Mapped[list | None] = mapped_column(db.JSON)
    corrected_codes: Mapped[list | None] = mapped_column(db.JSON)
    answered_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    LABELS = {"pending": "待答复", "upheld": "异议成立，结果已更正", "rejected": "异议不成立"}

    part = relationship("ReviewPart")


class Question(OfRecord, db.Model):
    """咨询: the enterprise asks a department about its check; the department admin or reviewer answers."""

    __tablename__ = "enterprise_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(db.Text)
    asked_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    answer: Mapped[str | None] = mapped_column(db.Text)
    answered_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    answered_by = relationship("User")


class TipOff(InCharge, db.Model):
    """举报 from the public. `contact` is the reporter's and shown only to the handling department; the follow
    code is kept only as its SHA-256."""

    __tablename__ = "tip_offs"
    id: Mapped[int] = mapped_column(primary_key=True)
    receipt: Mapped[str] = mapped_column(db.String(20), unique=True)
    code_sha256: Mapped[str] = mapped_column(db.String(64))
    entity_id: Mapped[int | None] = mapped_column(db.ForeignKey("entities.id"), index=True)
    entity_text: Mapped[str] = mapped_column(db.String(200))
    check_item_id: Mapped[int | None] = mapped_column(db.ForeignKey("check_items.id"))
    matter: Mapped[str] = mapped_column(db.String(200))
    what: Mapped[str] = mapped_column(db.Text)
    seen_on: Mapped[date | None] = mapped_column()
    contact: Mapped[str | None] = mapped_column(db.String(100))
    status: Mapped[str] = mapped_column(db.String(16), default="received", index=True)
    response_due: Mapped[date] = mapped_column()
    response_due_provisional: Mapped[bool] = mapped_column(default=False)
    reply: Mapped[str | None] = mapped_column(db.Text)  # what the reporter reads with the follow code
    ip: Mapped[str] = mapped_column(db.String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, index=True)

    entity = relationship("Entity")
    events: Mapped[list["TipOffEvent"]] = relationship("TipOffEvent", order_by="TipOffEvent.id",
                                                       back_populates="tip_off")
    targeted_checks: Mapped[list["TargetedCheck"]] = relationship("TargetedCheck", order_by="TargetedCheck.id",
                                                                   back_populates="tip_off")

    LABELS = {"received": "已登记，待处理", "accepted": "已受理，正在核查", "forwarded": "已转交有管辖权的部门",
                     "targeted": "已受理，正在开展定向检查", "closed": "已办结"}


class TipOffEvent(db.Model):
    """One step of a tip-off's handling: accepted, forwarded (from → to), targeted check opened, closed."""

    __tablename__ = "tip_off_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    tip_off_id: Mapped[int] = mapped_column(db.ForeignKey("tip_offs.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(db.String(16))
    note: Mapped[str] = mapped_column(db.Text, default="")
    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"))
    to_department_id: Mapped[int | None] = mapped_column(db.ForeignKey("departments.id"))
    jurisdiction_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True)
    by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    tip_off: Mapped[TipOff] = relationship(TipOff, back_populates="events")
    department = relationship("Department", foreign_keys=[department_id])
    to_department = relationship("Department", foreign_keys=[to_department_id])


class TargetedCheck(InCharge, db.Model):
    """定向检查: a check the department in charge opens on a 举报 (双随机 does not replace report-driven checks).
    Recorded as such (`kind`), never part of a random draw's population or manifest, nor counted as a random
    visit (无事不扰 counts only draws)."""

    __tablename__ = "targeted_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(db.String(16), default="tipoff")
    tip_off_id: Mapped[int] = mapped_column(db.ForeignKey("tip_offs.id", ondelete="CASCADE"), index=True)
    entity_id: Mapped[int | None] = mapped_column(db.ForeignKey("entities.id"), index=True)
    entity_text: Mapped[str] = mapped_column(db.String(200))
    matter: Mapped[str] = mapped_column(db.String(200))
    note: Mapped[str] = mapped_column(db.Text, default="")
    opened_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    tip_off: Mapped[TipOff] = relationship(TipOff, back_populates="targeted_checks")
    opened_by = relationship("User")

    KINDS = {"tipoff": "定向检查（举报线索）"}


class Attachment(InCharge, db.Model):
    """A verified file of a rectification, objection or tip-off (`owner` + `owner_id`), stored by its SHA-256;
    served only to the department in charge (and a rectification's or objection's to its enterprise)."""

    __tablename__ = "enterprise_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(db.String(16))  # rectification | objection | tip_off
    owner_id: Mapped[int] = mapped_column(index=True)
    sha256: Mapped[str] = mapped_column(db.String(64))
    content_type: Mapped[str] = mapped_column(db.String(32))
    size: Mapped[int] = mapped_column()
    filename: Mapped[str] = mapped_column(db.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)


class PublicAttempt(db.Model):
    """One try at a public door with a limit: the enterprise page (token + USCC), a tip-off filed, a tip-off
    looked up by its receipt. Kept to refuse guessing and flooding, per address and per key."""

    __tablename__ = "public_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(db.String(16))  # enterprise | tipoff | lookup
    key: Mapped[str] = mapped_column(db.String(64), index=True)  # the token or receipt tried ("" for a filing)
    ip: Mapped[str] = mapped_column(db.String(64), index=True)
    ok: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, index=True)
