"""Writing the audit trail: who did what, when, from where."""
from datetime import datetime

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.clock import utcnow
from webapp.core.extensions import db


class AuditEvent(db.Model):
    """Who did what, when, from where. Append-only."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    ip: Mapped[str | None] = mapped_column(db.String(64))
    action: Mapped[str] = mapped_column(db.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(db.String(32))
    object_id: Mapped[str | None] = mapped_column(db.String(64))
    detail: Mapped[dict] = mapped_column(db.JSON, default=dict)

    # The accounts stage's User: core may not import a stage, not even for typing (tests/test_layout.py).
    user: Mapped["User | None"] = relationship("User")  # noqa: F821

    __table_args__ = (db.Index("ix_audit_object", "object_type", "object_id"),)


def record(action: str, obj=None, user=None, **detail) -> AuditEvent:
    """Add an audit event to the session; it is committed with the change it describes."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    event = AuditEvent(
        action=action,
        user_id=getattr(user, "id", None),
        ip=request.remote_addr if has_request_context() else "cli",
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None and getattr(obj, "id", None) is not None else None,
        detail=detail,
    )
    db.session.add(event)
    return event
