"""Review of the 一企一表: decisions (approve / return with a comment), the team's amendments (补充说明) that answer
a return, and inspectors' feedback on a campaign (信息反馈). Signed findings are never edited: all of this sits beside them."""
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.clock import utcnow
from webapp.core.extensions import db

if TYPE_CHECKING:
    from webapp.stages.accounts.models import User
    from webapp.stages.plans.models import Plan
    from webapp.stages.records.models import InspectionRecord


class ReviewEvent(db.Model):
    """A reviewer's decision on a record: `approve`, or `return` with a comment the team sees on its phones."""

    __tablename__ = "review_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        db.ForeignKey("inspection_records.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(db.String(16))  # approve | return
    comment: Mapped[str] = mapped_column(db.Text, default="")
    by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    record: Mapped["InspectionRecord"] = relationship("InspectionRecord")
    by: Mapped["User"] = relationship("User")

    ACTION_LABELS = {"approve": "审核通过", "return": "退回"}


class Amendment(db.Model):
    """The team's 补充说明 to a returned record; `client_id` makes a replay from the phone harmless."""

    __tablename__ = "amendments"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        db.ForeignKey("inspection_records.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(db.Text)
    client_id: Mapped[str] = mapped_column(db.String(64), unique=True)
    by_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    record: Mapped["InspectionRecord"] = relationship("InspectionRecord")
    by: Mapped["User"] = relationship("User")


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
