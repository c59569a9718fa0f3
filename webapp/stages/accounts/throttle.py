"""Slowing down password guessing, kept in the database so that every gunicorn worker sees the same count.

A username is locked for LOGIN_LOCK_MINUTES after LOGIN_MAX_FAILURES failures from anywhere, and an address
after four times as many failures on any usernames. Unknown usernames count exactly like known ones, so
the answer never reveals whether an account exists.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.stages.accounts.models import LoginAttempt


def _failures_since(column, value, since) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    )


def is_locked(username: str, ip: str) -> bool:
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    since = utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    return (
        _failures_since(LoginAttempt.username, username, since) >= limit
        or _failures_since(LoginAttempt.ip, ip, since) >= 4 * limit
    )


def note(username: str, ip: str, success: bool):
    db.session.add(LoginAttempt(username=username, ip=ip, success=success))
    if success:  # a good sign-in clears the slate for that username
        db.session.execute(
            db.delete(LoginAttempt).where(LoginAttempt.username == username, LoginAttempt.success.is_(False))
        )
    db.session.commit()
