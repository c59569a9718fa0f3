"""Sessions that end: every sign-in is a row in `user_sessions`, and a cookie is good only while its row is.

The session cookie and the remember-me cookie both carry `User.get_id()`, "<user id>:<secret>"; the table keeps
the secret's SHA-256 only. The user loader (faces/auth) calls `resume` on every request, so a cookie copied before
sign-out, a password change or reset, or the account being disabled is refused from then on. A session lasts at
most SESSION_DAYS (30) days whether or not "在本机保持登录" was ticked; the remember-me cookie lives as long.

A phone that signs out without network cannot tell the server then; it keeps a sign-out token (`signout_token`,
given with the phone's session) and sends it when the network returns (`revoke_by_token`). The token can only
end that one session: it is not the session's secret, which stays in the HttpOnly cookie.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from webapp.core.clock import aware, utcnow
from webapp.core.extensions import db
from webapp.stages.accounts.models import User, UserSession

SESSION_DAYS = 30


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(user: User, remember: bool = False) -> UserSession:
    """A new session for `user`; sets `user.session_key` so that Flask-Login's login_user stores it."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(user=user, key_hash=_hash(key), remember=bool(remember), created_at=now,
                      expires_at=now + timedelta(days=SESSION_DAYS))
    db.session.add(row)
    db.session.flush()
    user.session_key = key
    return row


def resume(cookie_id: str) -> User | None:
    """The user of a live session named by a cookie's "<user id>:<secret>", else None."""
    user_id, _, key = (cookie_id or "").partition(":")
    if not user_id.isdigit() or not key:
        return None
    # One statement for every request: the session row, its user, the user's roles and inspector profile.
    found = db.session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.key_hash == _hash(key))
        .options(joinedload(User.role_rows), joinedload(User.profile))
    ).unique().first()
    if found is None:
        return None
    row, user = found
    if row.user_id != int(user_id) or row.revoked_at is not None:
        return None
    if aware(row.expires_at) <= utcnow():
        return None
    if not user.active:
        return None
    user.session_key = key
    return user


def current_row(user: User) -> UserSession | None:
    if not getattr(user, "session_key", None):
        return None
    return db.session.scalar(select(UserSession).where(UserSession.key_hash == _hash(user.session_key)))


def revoke(row: UserSession | None, why: str = "signout"):
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        row.revoked_why = why


def revoke_current(user: User, why: str = "signout"):
    revoke(current_row(user), why)


def revoke_all(user: User, why: str):
    """End every session of `user` (password changed or reset, account disabled)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_why=why)
    )


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="spotcheck-signout")


def signout_token(user: User) -> str | None:
    """A token that ends this one session when sent later (a phone signing out offline)."""
    row = current_row(user)
    return _signer().dumps(row.id) if row is not None else None


def revoke_by_token(token: str) -> UserSession | None:
    """End the session a sign-out token names; None for a token that is not ours. Sending it again is harmless."""
    try:
        session_id = _signer().loads(token or "")
    except BadSignature:
        return None
    row = db.session.get(UserSession, session_id) if isinstance(session_id, int) else None
    if row is not None:
        revoke(row, "signout")
    return row
