"""The sweep that re-sends jobs whose broker message was lost (Redis restarted without persistence, flushed):
the job row says queued, Redis holds nothing; `jobs.resend_lost` sends the message again, once."""
import json
import os
import signal

import pytest
import redis

from tests.browser.helpers import wait_until
from tests.conftest import redis_url
from webapp.core import jobs, periodic
from webapp.core.extensions import db

from .test_jobs_celery import _state, _worker

BROKER = redis_url(11)


def _messages(client) -> list[str]:
    """The job ids of the messages waiting in the queue (kombu's JSON envelope, the task's args in its headers)."""
    return [json.loads(raw)["headers"]["argsrepr"] for raw in client.lrange("spotcheck", 0, -1)]


@pytest.fixture
def lost_broker(app):
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    app.config.update(JOBS_BROKER_URL=BROKER, JOBS_RESEND_AFTER=0)
    yield client
    app.config.update(JOBS_BROKER_URL="", JOBS_RESEND_AFTER=60)
    client.flushdb()


def test_a_lost_message_is_sent_again_once_and_the_job_then_runs(app, lost_broker):
    with app.app_context():
        job = jobs.enqueue("jobs.selftest", {"steps": 2})
        db.session.commit()
        job_id = job.id
    assert _messages(lost_broker) == [f"[{job_id}]"]
    assert jobs.resend_lost() == []  # its message is there: nothing to do
    lost_broker.flushdb()  # Redis restarted: the message is gone, the row still says queued
    assert jobs.resend_lost() == [job_id]
    assert _messages(lost_broker) == [f"[{job_id}]"]
    assert jobs.resend_lost() == []  # idempotent: a second tick sends nothing more
    periodic.run("jobs.resend_lost")
    assert _messages(lost_broker) == [f"[{job_id}]"]
    assert jobs.run(job_id).state == jobs.DONE  # what the worker does with the message
    lost_broker.flushdb()
    assert jobs.resend_lost() == []  # a finished job is never re-sent


def test_a_recent_job_is_left_to_its_own_message(app, lost_broker):
    app.config["JOBS_RESEND_AFTER"] = 3600
    with app.app_context():
        jobs.enqueue("jobs.selftest", {"steps": 1})
        db.session.commit()
    lost_broker.flushdb()
    assert jobs.resend_lost() == []


def test_without_a_broker_the_sweep_does_nothing(app):
    jobs.enqueue("jobs.selftest", {"steps": 1})
    assert jobs.resend_lost() == []


def test_a_real_worker_runs_the_resent_job(app, database_url, lost_broker, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("the worker test runs on PostgreSQL (TEST_DATABASE_URL)")
    with app.app_context():
        job_id = jobs.enqueue("jobs.selftest", {"steps": 3}).id
        db.session.commit()
    lost_broker.flushdb()
    assert jobs.resend_lost() == [job_id]
    worker = _worker(database_url, tmp_path, BROKER)
    try:
        wait_until(lambda: _state(app, job_id).state == jobs.DONE, 120, "the re-sent job done by the worker")
        assert _state(app, job_id).attempts == 1
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
