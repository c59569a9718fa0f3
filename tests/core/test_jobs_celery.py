"""A real Celery worker on Redis over the test PostgreSQL database: a job runs; a worker killed with SIGKILL
mid-job leaves the message unacknowledged, and the job completes when a worker starts again."""
import os
import signal
import subprocess
import sys

import pytest
import redis

from tests.browser.helpers import wait_until
from tests.conftest import redis_url
from webapp.core import jobs
from webapp.core.extensions import db

BROKER = redis_url(13)


def _worker(database_url, tmp_path, broker=BROKER):
    env = dict(os.environ, DATABASE_URL=database_url, JOBS_BROKER_URL=broker, JOBS_VISIBILITY_TIMEOUT="3",
               MEDIA_ROOT=str(tmp_path / "media"))
    return subprocess.Popen([sys.executable, "-c", "from webapp.faces.cli import main; main()", "worker", "-c", "1", "--loglevel", "warning"],
                            env=env, cwd=tmp_path, start_new_session=True)


def _state(app, job_id):
    with app.app_context():
        db.session.expire_all()
        return db.session.get(jobs.Job, job_id)


@pytest.fixture
def broker(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the worker test runs on PostgreSQL (TEST_DATABASE_URL)")
    redis.Redis.from_url(BROKER).flushdb()
    app.config["JOBS_BROKER_URL"] = BROKER
    yield
    app.config["JOBS_BROKER_URL"] = ""
    redis.Redis.from_url(BROKER).flushdb()


def test_worker_survives_sigkill(app, database_url, broker, tmp_path):
    with app.app_context():
        job = jobs.enqueue("jobs.selftest", {"steps": 40, "pause": 0.1})
        db.session.commit()
        job_id = job.id
    worker = _worker(database_url, tmp_path)
    try:
        wait_until(lambda: (_state(app, job_id).done or 0) >= 3, 90, "the worker to start the job")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        assert _state(app, job_id).state == jobs.RUNNING
        worker = _worker(database_url, tmp_path)
        wait_until(lambda: _state(app, job_id).state == jobs.DONE, 120, "the job done after the restart")
        final = _state(app, job_id)
        assert final.result["steps"] == 40 and final.attempts >= 2
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
