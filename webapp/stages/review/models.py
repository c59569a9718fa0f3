"""Review of the 一企一表: decisions (approve / return with a comment), the team's amendments (补充说明) that answer
a return, and inspectors' feedback on a campaign (信息反馈). Signed findings are never edited: all of this sits beside them."""
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.stages.records.models import belongs_to_record

if TYPE_CHECKING:
    from webapp.stages.accounts.models import Department, User
    from webapp.stages.plans.models import Plan
    from webapp.stages.records.models import InspectionRecord


class ReviewEvent(db.Model):
    """A reviewer's decision on a record: `approve`, or `return` with a comment the team sees on its phones."""

    __tablename__ = "review_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = belongs_to_record()
    action: Mapped[str] = mapped_column(db.String(16))  # approve | return | reopen | publish | withdraw
    comment: Mapped[str] = mapped_column(db.Text, default="")
    # The department whose part the event concerns (0013); None on decisions made before parts (the whole record).
    department_id: Mapped[int | None] = mapped_column(db.ForeignKey("departments.id"), index=True)
    by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    record: Mapped["InspectionRecord"] = relationship("InspectionRecord")
    by: Mapped["User"] = relationship("User")

    department: Mapped["Department | None"] = relationship("Department")

    ACTION_LABELS = {"approve": "审核通过", "return": "退回", "reopen": "补充说明，重新审核",
                     "publish": "公示", "withdraw": "撤回公示"}


class Amendment(db.Model):
    """The team's 补充说明 to a returned record; `client_id` makes a replay from the phone harmless."""

    __tablename__ = "amendments"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = belongs_to_record()
    text: Mapped[str] = mapped_column(db.Text)
    client_id: Mapped[str] = mapped_column(db.String(64), unique=True)
    # The departments whose parts it re-opened for review (0013); None before parts.
    department_ids: Mapped[list | None] = mapped_column(db.JSON)
    # The SHA-256 of the 补拍照片 it carries (Media rows of the record, kind "amendment"; 0027); None: none.
    photos: Mapped[list | None] = mapped_column(db.JSON)
    by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    record: Mapped["InspectionRecord"] = relationship("InspectionRecord")
    by: Mapped["User"] = relationship("User")


class ReviewPart(db.Model):
    """One department's part of a joint 一企一表 (谁抽查、谁录入、谁公示): its items, reviewed by its reviewer, its
    result categories, and its publication under its own name (检查实施机关). The record stays one signed
    document; its `status` is derived from its parts' (webapp.domain.status.overall)."""

    __tablename__ = "review_parts"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = belongs_to_record()
    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(db.String(16), index=True)  # webapp.domain.status.PartStatus
    result_codes: Mapped[list] = mapped_column(db.JSON, default=list)  # national categories, this department's
    decided_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    authority: Mapped[str] = mapped_column(db.String(100), default="")  # 检查实施机关: the department's name
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    record: Mapped["InspectionRecord"] = relationship("InspectionRecord")
    department: Mapped["Department"] = relationship("Department")
    decided_by: Mapped["User | None"] = relationship("User")

    __table_args__ = (db.UniqueConstraint("record_id", "department_id", name="uq_review_parts_pair"),)

    @property
    def status_label(self) -> str:
        from webapp.domain.status import part_label

        return part_label(self.status)


class Feedback(db.Model):
    """信息反馈: an inspector's highlights, lessons and problems of a plan's campaign, for the bureau."""

    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(db.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"), index=True)
    highlights: Mapped[str] = mapped_column(db.Text, default="")
    lessons: Mapped[str] = mapped_column(db.Text, default="")
    problems: Mapped[str] = mapped_column(db.Text, default="")
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    plan: Mapped["Plan"] = relationship("Plan")
    user: Mapped["User"] = relationship("User")
