"""Background jobs: long work (derivatives, imports, exports, bundles, publishing, dispatch, webhooks) leaves the
request and runs in a worker, its state in the `jobs` table so that every app server and the page that started
it see the same progress.

    from webapp.core import jobs
    @jobs.task("directory.import")
    def import_directory(job, *, upload_key):
        for done, row in enumerate(rows, 1):
            ...
            job.progress(done, len(rows))
        return {"imported": n}          # → job.result (JSON)
    job = jobs.enqueue("directory.import", {"upload_key": key}, user=current_user, jurisdiction_id=j)
    db.session.commit()                 # the job is dispatched when the transaction that made it commits

Where it runs: embedded (no JOBS_BROKER_URL) in a thread of its own after the commit, under TESTING (or
JOBS_EAGER) inside `enqueue`; in production (JOBS_BROKER_URL=redis://…) Celery on Redis, `spotcheck worker`, its
clients made at start-up (`connect`). Messages are acknowledged late and rejected back onto the queue when a worker
dies, so a job killed midway runs again; a failed attempt is retried with back-off up to JOBS_MAX_ATTEMPTS. A job
must be idempotent (it may run twice); `enqueue(..., key=…)` gives at most one job per key; a done job never reruns.
`JobError("中文说明")` (or a stage's `Refused` below 500) fails at once with that message (retrying will not help);
a failed job's key may be enqueued again. Another exception is retried; the last is recorded as 「任务执行出错」."""
import functools
import logging
import os
import threading
import time
import traceback
from contextlib import contextmanager
from datetime import datetime
from typing import Callable

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from webapp.core import periodic
from webapp.core.clock import aware, utcnow
from webapp.core.extensions import db
from webapp.domain.refusal import Refused

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATES = {QUEUED: "排队中", RUNNING: "进行中", DONE: "已完成", FAILED: "失败"}
_TASKS: dict[str, Callable] = {}
_QUICK: set[str] = set()
_DEFER = "jobs_defer_eager"


class JobError(Exception):
    """A failure worth telling the user in Chinese, not worth retrying."""


class Job(db.Model):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(db.String(64), index=True)
    state: Mapped[str] = mapped_column(db.String(16), default=QUEUED, index=True)
    payload: Mapped[dict] = mapped_column(db.JSON, default=dict)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None] = mapped_column()
    result: Mapped[dict | None] = mapped_column(db.JSON)
    error: Mapped[str | None] = mapped_column(db.Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"), index=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True)
    key: Mapped[str | None] = mapped_column(db.String(200), unique=True)

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    @property
    def percent(self) -> int | None:
        if self.state == DONE or not self.total:
            return 100 if self.state == DONE else None
        return max(0, min(100, int(self.done * 100 / self.total)))

    def progress(self, done: int, total: int | None = None):
        """Record progress. Written on a connection of its own (PostgreSQL), so pages see it while the job's own
        transaction is still open; on SQLite (one writer) it goes with the job's next commit."""
        done, total = int(done), (int(total) if total is not None else self.total)
        if db.engine.dialect.name != "postgresql":
            self.done, self.total = done, total
            return
        with db.engine.begin() as conn:
            conn.execute(update(Job.__table__).where(Job.__table__.c.id == self.id).values(done=done, total=total))
        # Not a change for the job's own session to flush: its UPDATE would lock the row in the job's transaction,
        # and the next progress write, on its own connection, would wait for that lock forever.
        set_committed_value(self, "done", done)
        set_committed_value(self, "total", total)

    def as_json(self) -> dict:
        return {"id": self.id, "kind": self.kind, "state": self.state, "state_label": self.state_label,
                "done": self.done, "total": self.total, "percent": self.percent, "result": self.result,
                "error": self.error, "attempts": self.attempts}


def task(kind: str, quick: bool = False):
    """Register `fn(job, **payload)` as the function that runs jobs of `kind`. A `quick` one (a few ms, it does not
    commit) runs in one transaction with its job's state: no `running` step is committed (one commit, not three)."""
    def register(fn):
        _TASKS[kind] = fn
        _QUICK.add(kind) if quick else _QUICK.discard(kind)
        return fn
    return register


def enqueue(kind: str, payload: dict | None = None, user=None, jurisdiction_id=None, key: str | None = None) -> Job:
    """Add a job to the session; it is dispatched when the session commits (eagerly: run before returning).
    With `key`, a job already made under that key is returned instead of a new one."""
    if kind not in _TASKS:
        raise KeyError(f"unknown job kind {kind!r}")
    if key is not None:
        existing = db.session.scalar(select(Job).where(Job.key == key))
        if existing is not None and existing.state != FAILED:
            return existing
        if existing is not None:  # a failed job may be started again (its cause fixed): same row, fresh run
            existing.key = f"{key}#failed-{existing.id}"
            db.session.flush()
    job = Job(kind=kind, state=QUEUED, payload=dict(payload or {}), key=key, done=0, attempts=0,
              user_id=getattr(user, "id", None), jurisdiction_id=jurisdiction_id, created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    if _eager() and db.session.info.get(_DEFER):  # enqueued while the session commits (core.events): run after it
        db.session.info.setdefault("jobs_eager_after", []).append(job.id)
        db.session.info["jobs_app"] = current_app._get_current_object()
        return job
    if _eager():
        db.session.commit()
        run(job.id)
        db.session.expire_all()
        return db.session.get(Job, job.id)
    db.session.info.setdefault("jobs_pending", []).append(job.id)
    db.session.info["jobs_app"] = current_app._get_current_object()
    return job


@contextmanager
def after_commit(session):
    """Within it, an eager `enqueue` (TESTING) does not commit at once but runs the job right after the session's
    commit, as the embedded and Celery modes always do: for enqueueing from inside a commit (core.events)."""
    before = session.info.get(_DEFER)
    session.info[_DEFER] = True
    try:
        yield
    finally:
        session.info[_DEFER] = before


def _eager() -> bool:
    config = current_app.config
    if config.get("JOBS_BROKER_URL"):
        return False
    return bool(config.get("JOBS_EAGER", config.get("TESTING")))


@event.listens_for(Session, "after_commit")
def _dispatch(session):
    pending = session.info.pop("jobs_pending", None)
    eager = session.info.pop("jobs_eager_after", None)
    app = session.info.pop("jobs_app", None)
    for job_id in eager or ():
        _run_in_app(app, job_id)  # its own app context, so its own session (this one has just committed)
    if not pending or app is None:
        return
    if app.config.get("JOBS_BROKER_URL"):
        _send(app, pending)
        return
    for job_id in pending:
        threading.Thread(target=_run_in_app, args=(app, job_id), name=f"job-{job_id}", daemon=True).start()


@functools.cache
def _redis(url):
    """One client (and connection pool) per broker URL and process, not a new connection for every commit."""
    import redis
    return redis.Redis.from_url(url)


def _send(app, job_ids, only_unmarked: bool = False) -> list[int]:
    """Send each job's message, with a marker key beside it in the broker's Redis: a message lost with its Redis
    (a restart without persistence, a flush) loses its marker too, and `resend_lost` sends it again."""
    broker, ttl = celery(app), int(app.config.get("JOBS_VISIBILITY_TIMEOUT", 3600)) * 24
    client = _redis(app.config["JOBS_BROKER_URL"])
    sent = []
    for job_id in job_ids:
        marker = f"spotcheck:job-sent:{job_id}"
        try:
            if only_unmarked and not client.set(marker, 1, ex=ttl, nx=True):  # the sweep: once per lost message
                continue
            broker.send_task("spotcheck.run_job", args=[job_id])
            client.set(marker, 1, ex=ttl)  # after the message: a send that failed leaves none
            sent.append(job_id)
        except Exception:  # noqa: BLE001 — the act that made the job is committed; the sweep sends it later
            log.exception("could not send job %s to the broker", job_id)
    return sent


@event.listens_for(Session, "after_rollback")
def _forget(session):
    session.info.pop("jobs_pending", None)
    session.info.pop("jobs_eager_after", None)


def _run_in_app(app, job_id):
    with app.app_context():
        try:
            run(job_id)
        finally:
            db.session.remove()


class Retry(Exception):
    """Raised by `run` when an attempt failed and another is allowed (Celery schedules it)."""


def run(job_id: int, max_attempts: int | None = None) -> Job | None:
    """Run one job to its end. Idempotent: a job done or failed is left alone; one found `running` (its worker
    died) is run again. Raises Retry when the attempt failed and attempts remain (max_attempts > attempts)."""
    job = db.session.get(Job, job_id)
    if job is None or job.finished:
        return job
    fn = _TASKS.get(job.kind)
    job.state, job.started_at, job.attempts, job.error = RUNNING, utcnow(), (job.attempts or 0) + 1, None
    quick = job.kind in _QUICK
    if not quick:
        db.session.commit()
    if fn is None:
        return _fail(job_id, f"未知的任务类型「{job.kind}」")
    try:
        result = fn(job, **(job.payload or {}))
    except Exception as error:  # noqa: BLE001 — recorded on the job, retried
        db.session.rollback()
        if isinstance(error, JobError) or (isinstance(error, Refused) and error.status < 500):
            return _fail(job_id, str(error))  # bad input or a stage's refusal: its Chinese reason, no retry
        log.warning("job %s (%s) attempt failed: %s", job_id, job.kind, traceback.format_exc())
        job = db.session.get(Job, job_id)
        job.attempts += quick and job.state == QUEUED  # a quick job's attempt went back with its work: count it
        if max_attempts is not None and job.attempts < max_attempts:
            job.state, job.error = QUEUED, f"第 {job.attempts} 次执行出错（{type(error).__name__}），将重试"
            db.session.commit()
            raise Retry(str(error)) from error
        return _fail(job_id, f"任务执行出错（{type(error).__name__}）：{error}")
    job = db.session.get(Job, job_id)
    job.state, job.finished_at, job.error = DONE, utcnow(), None
    job.result = result if isinstance(result, dict) or result is None else {"value": result}
    if job.total is not None:
        job.done = job.total
    db.session.commit()
    return job


def _fail(job_id, message):
    job = db.session.get(Job, job_id)
    job.state, job.error, job.finished_at = FAILED, message, utcnow()
    db.session.commit()
    return job


# --- Celery (production) ------------------------------------------------------------------------------------

_celery = {}


def celery(app=None):
    """The Celery app for `app`'s broker, made once per process."""
    from celery import Celery

    app = app or current_app._get_current_object()
    url = app.config["JOBS_BROKER_URL"]
    if url in _celery:
        return _celery[url]
    capp = Celery("spotcheck", broker=url)
    # The tasks belong to this app only (shared=False): a shared task would also be registered on every Celery
    # app made later in the process (another broker URL), where Celery 5.6+ warns of a duplicate name.
    capp.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="spotcheck",
        broker_connection_retry_on_startup=True,
        # An unacknowledged message (its worker killed) goes back to the queue after this many seconds.
        broker_transport_options={"visibility_timeout": int(app.config.get("JOBS_VISIBILITY_TIMEOUT", 3600))},
        task_ignore_result=True,
    )
    max_attempts = int(app.config.get("JOBS_MAX_ATTEMPTS", 5))
    flask_app = app

    @capp.task(name="spotcheck.run_job", shared=False, bind=True, acks_late=True, reject_on_worker_lost=True,
               max_retries=max_attempts)
    def run_job(self, job_id):
        with flask_app.app_context():
            try:
                run(job_id, max_attempts=max_attempts)
            except Retry as error:
                raise self.retry(countdown=min(300, 2 ** self.request.retries), exc=error)
            finally:
                db.session.remove()

    @capp.task(name="spotcheck.periodic", shared=False)
    def periodic_task(name):
        with flask_app.app_context():
            try:
                periodic.run(name)
            finally:
                db.session.remove()

    capp.conf.beat_schedule = periodic.beat_schedule("spotcheck.periodic")
    capp.conf.beat_schedule_filename = os.path.join(app.instance_path, "celerybeat-schedule")
    _celery[url] = capp
    return capp


def connect(app) -> None:
    """The broker's clients now (create_app, once every periodic task is registered), not in a first request."""
    if app.config.get("JOBS_BROKER_URL"):
        celery(app), _redis(app.config["JOBS_BROKER_URL"])


@periodic.every(60, "jobs.resend_lost")
def resend_lost() -> list[int]:
    """Re-send the message of every job still queued (or running past the visibility timeout, its worker gone)
    whose marker is missing from the broker: its message was lost. Idempotent: a marker is set once (SET NX)."""
    app = current_app._get_current_object()
    if not app.config.get("JOBS_BROKER_URL"):
        return []
    now = utcnow().timestamp()
    grace, stale = float(app.config.get("JOBS_RESEND_AFTER", 60)), float(app.config.get("JOBS_VISIBILITY_TIMEOUT", 3600))
    rows = db.session.execute(select(Job.id, Job.state, Job.created_at, Job.started_at)
                              .where(Job.state.in_((QUEUED, RUNNING))).order_by(Job.id)).all()
    lost = [row.id for row in rows
            if (since := aware(row.started_at if row.state == RUNNING else row.created_at)) is None
            or now - since.timestamp() >= (stale if row.state == RUNNING else grace)]
    sent = _send(app, lost, only_unmarked=True) if lost else []
    if sent:
        log.warning("re-sent %d job message(s) lost by the broker: %s", len(sent), sent)
    return sent


@task("jobs.selftest")
def selftest(job, *, steps: int = 3, pause: float = 0.0):
    """A job that only counts (`pause` seconds a step): checks a worker end to end, and the tests kill one mid-way."""
    for i in range(1, steps + 1):
        if pause:
            time.sleep(pause)
        job.progress(i, steps)
    return {"steps": steps, "attempt": job.attempts}
