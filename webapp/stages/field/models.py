"""What the phones sent: one row per accepted record submission, so that a replay gets the same answer."""
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.stages.records.models import belongs_to_record

if TYPE_CHECKING:
    from webapp.stages.accounts.models import User
    from webapp.stages.records.models import InspectionRecord


class FieldSubmission(db.Model):
    """An accepted 一企一表 from a phone, keyed by the client UUID the phone made once for it.

    `body_digest` tells an identical replay (answered with `response` again) from different content under the
    same client id (409)."""

    __tablename__ = "field_submissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(db.String(36), unique=True)
    record_id: Mapped[int] = belongs_to_record()
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id"))
    body_digest: Mapped[str] = mapped_column(db.String(64))
    findings_hash: Mapped[str] = mapped_column(db.String(64))
    body: Mapped[dict] = mapped_column(db.JSON)  # as the phone sent it, refusal confirmations included
    response: Mapped[dict] = mapped_column(db.JSON)
    replays: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    record: Mapped["InspectionRecord"] = relationship("InspectionRecord")
    user: Mapped["User"] = relationship("User")
