"""Limits on the public doors (no account behind them): how many tries per key and per address in a window."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from webapp.core import clock
from webapp.core.extensions import db
from webapp.stages.enterprise.models import PublicAttempt

# kind: (failed tries per key, tries per address, window). Filing a tip-off counts every try per address.
DEFAULTS = {
    "enterprise": (5, 20, timedelta(hours=1)),
    "lookup": (5, 20, timedelta(hours=1)),
    "tipoff": (None, 5, timedelta(days=1)),
    "tipoff_files": (None, 10, timedelta(days=1)),
}


def _limits(kind):
    per_key, per_ip, window = DEFAULTS[kind]
    override = current_app.config.get("ENTERPRISE_LIMITS", {}).get(kind)
    return override or (per_key, per_ip, window)


def allowed(kind: str, key: str, ip: str) -> bool:
    """Whether one more try is allowed: failed tries per key, and every try per address (a filing) or failed
    tries per address (a look-up), inside the window."""
    per_key, per_ip, window = _limits(kind)
    since = clock.utcnow() - window
    base = select(func.count()).select_from(PublicAttempt).where(PublicAttempt.kind == kind,
                                                                 PublicAttempt.at >= since)
    if per_key is not None and db.session.scalar(
            base.where(PublicAttempt.key == key, PublicAttempt.ok.is_(False))) >= per_key:
        return False
    by_ip = base.where(PublicAttempt.ip == ip)
    if per_key is not None:
        by_ip = by_ip.where(PublicAttempt.ok.is_(False))
    return db.session.scalar(by_ip) < per_ip


def note(kind: str, key: str, ip: str, ok: bool) -> None:
    """Kept in its own commit: a refused try still counts (the caller's later rollback must not undo it)."""
    db.session.add(PublicAttempt(kind=kind, key=(key or "")[:64], ip=(ip or "-")[:64], ok=ok))
    db.session.commit()
