"""The 一企一表: one joint inspection record per drawn enterprise, its team, and its media.

The draw creates records (status `dispatched`); the field app fills them; review and publication move them on.
`findings` is the JSON the phone submits, signed as a whole through `findings_hash`:

    {"departments": [{"department_id": 1, "items": [{"plan_item_id": 7, "method": "onsite",
        "points": [{"text": "…", "result": "pass|fail|na", "note": "…", "photos": ["<sha256>"]}]}]}],
     "team": {"present": ["<certificate_no>", …], "uniform": true, "credentials_shown": true},
     "result_codes": ["no_problem"], "remarks": "…"}
"""
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.core.tokens import new_token
from webapp.domain import review
from webapp.domain.status import LABELS, RecordStatus, label

if TYPE_CHECKING:
    from webapp.stages.accounts.models import Department
    from webapp.stages.directory.models import Entity, InspectorProfile
    from webapp.stages.plans.models import Plan



def belongs_to_record():
    """The `record_id` of a row that is part of a 一企一表 record: indexed, and deleted with the record."""
    return mapped_column(db.ForeignKey("inspection_records.id", ondelete="CASCADE"), index=True)

class InspectionRecord(db.Model):
    __tablename__ = "inspection_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(db.String(32), unique=True, default=new_token)  # /v/<token>
    plan_id: Mapped[int] = mapped_column(db.ForeignKey("plans.id"), index=True)
    entity_id: Mapped[int] = mapped_column(db.ForeignKey("entities.id"), index=True)
    status: Mapped[str] = mapped_column(db.String(16), default=RecordStatus.DISPATCHED.value, index=True)
    understaffed: Mapped[bool] = mapped_column(default=False)
    needs_expert: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    # Filled from the phone
    client_uuid: Mapped[str | None] = mapped_column(db.String(36), unique=True)
    inspected_on: Mapped[date | None] = mapped_column()
    checked_in_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    checkin_lat: Mapped[float | None] = mapped_column(db.Float)
    checkin_lng: Mapped[float | None] = mapped_column(db.Float)
    checkin_accuracy: Mapped[float | None] = mapped_column(db.Float)
    findings: Mapped[dict | None] = mapped_column(db.JSON)
    result_codes: Mapped[list] = mapped_column(db.JSON, default=list)
    findings_hash: Mapped[str | None] = mapped_column(db.String(64))
    signature_sha: Mapped[str | None] = mapped_column(db.String(64))
    seal_sha: Mapped[str | None] = mapped_column(db.String(64))
    refused: Mapped[bool] = mapped_column(default=False)
    refusal_note: Mapped[str | None] = mapped_column(db.Text)
    submitted_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    sync_due: Mapped[date | None] = mapped_column()
    due_provisional: Mapped[bool] = mapped_column(default=False)
    late: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    # webapp.domain.review.has_problems of the findings and result codes, for the review queue's 发现问题 (0036):
    # set with them (`_problems`; the phone's submission, a bulk UPDATE, sets it in its values).
    has_problems: Mapped[bool] = mapped_column(default=False, server_default=db.false())

    plan: Mapped["Plan"] = relationship("Plan")
    entity: Mapped["Entity"] = relationship("Entity")
    members: Mapped[list["RecordMember"]] = relationship(
        "RecordMember", back_populates="record", cascade="all, delete-orphan", order_by="RecordMember.id"
    )
    media: Mapped[list["Media"]] = relationship("Media", back_populates="record", cascade="all, delete-orphan")

    __table_args__ = (db.UniqueConstraint("plan_id", "entity_id", name="uq_inspection_records_plan_entity"),
                      db.Index("ix_inspection_records_submitted_id", "submitted_at", "id"),  # the review queue (0033)
                      db.Index("ix_inspection_records_problems", "submitted_at", "id",  # its 发现问题 (0036)
                               postgresql_where=has_problems.column.is_(True),
                               sqlite_where=has_problems.column.is_(True)))

    STATUS_LABELS = LABELS  # the one definition: webapp.domain.status

    @property
    def status_label(self) -> str:
        return label(self.status)

    def member_for(self, user) -> "RecordMember | None":
        profile = getattr(user, "profile", None)
        if profile is None:
            return None
        return next((m for m in self.members if m.inspector_id == profile.id), None)


@event.listens_for(InspectionRecord, "before_insert")
@event.listens_for(InspectionRecord, "before_update")
def _problems(_mapper, _connection, record: InspectionRecord) -> None:
    """A record written as an object with new findings or result codes: its `has_problems` with them."""
    attrs = inspect(record).attrs
    if attrs.findings.history.has_changes() or attrs.result_codes.history.has_changes():
        record.has_problems = review.has_problems(record.result_codes, record.findings)


class RecordMember(db.Model):
    """An inspector on a record's team: drawn, or appointed as an expert (专业人员) with a reason."""

    __tablename__ = "record_members"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = belongs_to_record()
    inspector_id: Mapped[int] = mapped_column(db.ForeignKey("inspector_profiles.id"), index=True)
    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"))
    kind: Mapped[str] = mapped_column(db.String(16), default="drawn")  # drawn | expert
    is_leader: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(db.String(300))  # why an expert was appointed
    appointed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    record: Mapped[InspectionRecord] = relationship(InspectionRecord, back_populates="members")
    inspector: Mapped["InspectorProfile"] = relationship("InspectorProfile")
    department: Mapped["Department"] = relationship("Department")

    __table_args__ = (db.UniqueConstraint("record_id", "inspector_id", name="uq_record_members_pair"),)


class Media(db.Model):
    """A photo, signature or seal image of a record, stored content-addressed by its SHA-256."""

    __tablename__ = "media"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = belongs_to_record()
    sha256: Mapped[str] = mapped_column(db.String(64), index=True)  # of the bytes the phone sent
    # storage key: SHA-256 of the re-encoded, EXIF-free file (0004_field)
    stored_sha: Mapped[str | None] = mapped_column(db.String(64))
    kind: Mapped[str] = mapped_column(db.String(16))  # photo | signature | seal | evidence
    content_type: Mapped[str] = mapped_column(db.String(32))
    size: Mapped[int] = mapped_column()
    width: Mapped[int | None] = mapped_column()
    height: Mapped[int | None] = mapped_column()
    captured_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    meta: Mapped[dict] = mapped_column(db.JSON, default=dict)
    uploaded_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    # False from a phone's upload until the derivative job (stages.field.derivatives) has made the display copy
    # and thumbnail: only the raw bytes are stored then, and they are never served (0026_queue).
    ready: Mapped[bool] = mapped_column(default=True, server_default=db.true())

    record: Mapped[InspectionRecord] = relationship(InspectionRecord, back_populates="media")

    __table_args__ = (db.UniqueConstraint("record_id", "sha256", name="uq_media_record_sha"),)

    @property
    def storage_key(self) -> str | None:
        """Where the served bytes are: the server re-encodes uploads, so not the phone's hash once stored_sha is set;
        None while the derivative is being made (the raw upload, under `sha256`, is never served)."""
        if not self.ready:
            return None
        return self.stored_sha or self.sha256
