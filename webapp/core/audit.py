"""Writing the audit trail: who did what, when, from where."""
from flask import has_request_context, request
from flask_login import current_user

from webapp.core.clock import utcnow
from webapp.core.extensions import db


class AuditEvent(db.Model):
    """Who did what, when, from where. Append-only."""

    __tablename__ = "audit_events"
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    ip = db.Column(db.String(64))
    action = db.Column(db.String(64), nullable=False, index=True)
    object_type = db.Column(db.String(32))
    object_id = db.Column(db.String(64))
    detail = db.Column(db.JSON, nullable=False, default=dict)

    user = db.relationship("User")

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
