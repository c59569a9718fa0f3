"""Sign-in and sign-out, guarding against password guessing, the password pages, and the role gate every view uses.

Every request resumes its session from the server (stages/accounts/sessions.py): a cookie whose session was
revoked is no better than none. A user whose password the office reset is sent to change it first."""
from webapp.faces.auth.gate import role_required  # noqa: F401
from webapp.faces.auth.views import bp  # noqa: F401

# What a user who must change their password may still reach.
ALLOWED_BEFORE_CHANGE = {"auth.change_password", "auth.logout", "auth.login", "auth.signout_later", "static"}


def init_app(app):
    from flask import g, redirect, request, url_for
    from flask_login import current_user

    from webapp.core.errors import json_error
    from webapp.core.extensions import login_manager
    from webapp.stages.accounts import sessions

    @login_manager.user_loader
    def load_user(cookie_id):
        return sessions.resume(cookie_id)

    @app.before_request
    def resume_afresh():
        # Each request asks the server again (tests keep one app context, and so one `g`, across requests).
        g.pop("_login_user", None)

    @app.before_request
    def password_first():
        if request.endpoint in ALLOWED_BEFORE_CHANGE or not current_user.is_authenticated:
            return None
        if not current_user.must_change_password:
            return None
        if request.path.startswith("/api/"):
            # 401: the phone asks to sign in again, which leads to the change page; its records stay queued.
            return json_error(401, "请先修改密码后再使用。", login="/account/password?next=/field/", password_change=True)
        return redirect(url_for("auth.change_password", next=request.full_path.rstrip("?")))
