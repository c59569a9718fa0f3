"""Slowing down password guessing, kept in the database so that every gunicorn worker sees the same count.

Failures are counted per (username, address) and per address, never per username alone: a stranger guessing
someone's password from elsewhere locks only themselves, and the real user signs in as usual from their own
phone or office. After LOGIN_MAX_FAILURES failures on one username from one address, that pair waits
LOGIN_LOCK_MINUTES; an address that fails four times as often on any usernames waits as long. Unknown usernames
count exactly like known ones, so the answer never reveals whether an account exists.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.stages.accounts.models import LoginAttempt


def _failures_since(since, *conditions) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(*conditions, LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    )


def is_locked(username: str, ip: str) -> bool:
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    since = utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    return (
        _failures_since(since, LoginAttempt.username == username, LoginAttempt.ip == ip) >= limit
        or _failures_since(since, LoginAttempt.ip == ip) >= 4 * limit
    )


def note(username: str, ip: str, success: bool):
    db.session.add(LoginAttempt(username=username, ip=ip, success=success))
    if success:  # a good sign-in clears the slate for that username from that address
        db.session.execute(
            db.delete(LoginAttempt).where(
                LoginAttempt.username == username, LoginAttempt.ip == ip, LoginAttempt.success.is_(False)
            )
        )
    db.session.commit()
