"""Periodic work (sweeps): `fn()` run every so many seconds in an app context, committed after it. By Celery
beat in production (`spotcheck worker --beat`, on one worker: core.jobs sends each tick as a task), by a thread
of each web process when embedded (started with its first request); never by itself under TESTING (tests call
`run`)."""
import logging
import threading
import traceback
from typing import Callable

from webapp.core.extensions import db

log = logging.getLogger(__name__)

_PERIODIC: dict[str, tuple[float, Callable]] = {}
_tickers: set[int] = set()


def every(seconds: float, name: str):
    """Register `fn()` to run every `seconds` under `name`."""
    def register(fn):
        _PERIODIC[name] = (seconds, fn)
        return fn
    return register


def run(name: str) -> None:
    try:
        _PERIODIC[name][1]()
        db.session.commit()
    except Exception:  # noqa: BLE001 — a sweep that failed runs again at its next tick
        db.session.rollback()
        log.warning("periodic %s failed: %s", name, traceback.format_exc())


def beat_schedule(task: str) -> dict:
    """Celery beat's schedule: one `task(name)` per sweep. A tick still queued when the next is due expires, so that
    a busy worker runs a sweep once, not a backlog."""
    return {f"periodic:{name}": {"task": task, "schedule": float(seconds), "args": [name],
                                 "options": {"expires": float(seconds)}} for name, (seconds, _) in _PERIODIC.items()}


def init_app(app) -> None:
    """Embedded mode (no broker): the periodic work runs in a thread per sweep and process, from the first request."""
    @app.before_request
    def _start_ticker():
        if id(app) in _tickers or app.config.get("JOBS_BROKER_URL") or app.config.get("TESTING") \
                or app.config.get("JOBS_EAGER"):
            return
        _tickers.add(id(app))
        for name, (seconds, _) in _PERIODIC.items():
            threading.Thread(target=_tick, args=(app, name, seconds), name=f"periodic-{name}", daemon=True).start()


def _tick(app, name: str, seconds: float) -> None:
    while not threading.Event().wait(seconds):
        with app.app_context():
            try:
                run(name)
            finally:
                db.session.remove()
