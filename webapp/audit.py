"""Writing the audit trail: who did what, when, from where."""
from flask import has_request_context, request
from flask_login import current_user

from .extensions import db
from .models import AuditEvent


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
