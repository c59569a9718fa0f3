"""一公开 and after: inspectors' credential tokens (亮证) and follow-up tasks (后续监管).

Publication itself needs no table: each department's part of a record (review stage, `ReviewPart`) becomes
"published" with its `published_at`, the audit trail says who published it, and the transparency log holds a leaf
per part published or withdrawn.
"""
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.core.tokens import new_token
from webapp.stages.records.models import belongs_to_record

if TYPE_CHECKING:
    from webapp.stages.accounts.models import Department, User
    from webapp.stages.directory.models import InspectorProfile
    from webapp.stages.records.models import InspectionRecord, Media


class InspectorCredential(db.Model):
    """The token behind an inspector's credential QR (/credential/<token>). Revoked tokens stay, marked."""

    __tablename__ = "inspector_credentials"
    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(db.ForeignKey("inspector_profiles.id"), index=True)
    token: Mapped[str] = mapped_column(db.String(32), unique=True, default=new_token)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    revoked_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))

    inspector: Mapped["InspectorProfile"] = relationship("InspectorProfile")
    revoked_by: Mapped["User | None"] = relationship("User")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class CredentialCheck(db.Model):
    """One assignment check on a public credential page ("is this inspector assigned to us?").

    Kept to limit how many enterprises one could try against a credential: the draw's assignments must not be
    learnt ahead of an unannounced inspection by guessing USCCs."""

    __tablename__ = "credential_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(db.ForeignKey("inspector_credentials.id", ondelete="CASCADE"),
                                               index=True)
    ip: Mapped[str] = mapped_column(db.String(64), index=True)
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, index=True)


class PublicationWithdrawal(db.Model):
    """撤回公示: the office took a published result back (wrongly published, or found wrong), with a reason that
    the record's public verification page shows. The record returns to review; the withdrawals stay."""

    __tablename__ = "publication_withdrawals"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = belongs_to_record()
    reason: Mapped[str] = mapped_column(db.Text)
    # the department whose part was withdrawn (0013); None before parts (the whole record)
    department_id: Mapped[int | None] = mapped_column(db.ForeignKey("departments.id"))
    # when the withdrawn publication had been made
    published_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    by: Mapped["User | None"] = relationship("User")
    department: Mapped["Department | None"] = relationship("Department")


class FollowUpTask(db.Model):
    """后续监管: a problem left for later (发现问题待后续处理), owned by the department with jurisdiction."""

    __tablename__ = "follow_up_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = belongs_to_record()
    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"), index=True)
    reason: Mapped[str] = mapped_column(db.String(300), default="")  # why this department: the rule applied
    opened_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    deadline: Mapped[date] = mapped_column()
    deadline_provisional: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(db.String(16), default="open", index=True)  # open | closed
    evidence: Mapped[str | None] = mapped_column(db.Text)
    evidence_media_id: Mapped[int | None] = mapped_column(db.ForeignKey("media.id"))
    closed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    record: Mapped["InspectionRecord"] = relationship("InspectionRecord")
    department: Mapped["Department"] = relationship("Department")
    evidence_media: Mapped["Media | None"] = relationship("Media")
    closed_by: Mapped["User | None"] = relationship("User")

    __table_args__ = (db.UniqueConstraint("record_id", "department_id", name="uq_follow_up_tasks_pair"),
                      # the list's keyset pages (deadline, id), by status or all (0032_list_indexes)
                      db.Index("ix_follow_up_tasks_status_deadline_id", "status", "deadline", "id"),
                      db.Index("ix_follow_up_tasks_deadline_id", "deadline", "id"))

    STATUS_LABELS = {"open": "办理中", "closed": "已办结"}
