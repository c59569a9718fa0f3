"""The role gate: `@role_required(roles.OFFICE_ADMIN)` in front of a view."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def role_required(*wanted: str):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*wanted):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
