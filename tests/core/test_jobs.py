"""Background jobs (webapp/core/jobs.py): the embedded runner through the same interface the worker uses."""
import pytest

from tests.browser.helpers import wait_until
from webapp.core import jobs
from webapp.core.extensions import db


@jobs.task("test.count")
def _count(job, *, upto):
    for i in range(1, upto + 1):
        job.progress(i, upto)
    return {"counted": upto}


@jobs.task("test.bad_input")
def _bad(job):
    raise jobs.JobError("第 3 行统一社会信用代码格式不正确")


_flaky_calls = []


@jobs.task("test.flaky")
def _flaky(job):
    _flaky_calls.append(job.attempts)
    if len(_flaky_calls) < 2:
        raise RuntimeError("boom")
    return {"ok": True}


@jobs.task("test.quick_flaky", quick=True)
def _quick_flaky(job):
    _flaky_calls.append(job.attempts)
    if len(_flaky_calls) < 2:
        raise RuntimeError("boom")
    return {"ok": True}


def test_enqueue_runs_and_records_result(app):
    with app.app_context():
        job = jobs.enqueue("test.count", {"upto": 5})
        assert job.state == jobs.DONE
        assert job.result == {"counted": 5}
        assert (job.done, job.total, job.percent, job.attempts) == (5, 5, 100, 1)
        assert job.as_json()["state_label"] == "已完成"


def test_job_error_fails_with_chinese_message(app):
    with app.app_context():
        job = jobs.enqueue("test.bad_input", {})
        assert job.state == jobs.FAILED
        assert "统一社会信用代码" in job.error


def test_idempotency_key_and_done_job_not_rerun(app):
    with app.app_context():
        first = jobs.enqueue("test.count", {"upto": 2}, key="k-1")
        again = jobs.enqueue("test.count", {"upto": 9}, key="k-1")
        assert again.id == first.id and again.result == {"counted": 2}
        assert jobs.run(first.id).attempts == 1  # done: left alone


def test_retry_then_success(app):
    _flaky_calls.clear()
    with app.app_context():
        app.config["JOBS_EAGER"] = False  # dispatch by hand, as the worker does
        try:
            job = jobs.Job(kind="test.flaky", payload={}, state=jobs.QUEUED, done=0, attempts=0)
            db.session.add(job)
            db.session.commit()
            with pytest.raises(jobs.Retry):
                jobs.run(job.id, max_attempts=3)
            assert db.session.get(jobs.Job, job.id).state == jobs.QUEUED
            done = jobs.run(job.id, max_attempts=3)
            assert done.state == jobs.DONE and done.attempts == 2
        finally:
            app.config.pop("JOBS_EAGER")


def test_a_quick_job_commits_once_and_still_counts_a_failed_attempt(app):
    """A quick job's `running` state is never committed on its own; an attempt that failed is still counted."""
    from tests.perf.test_query_counts import statements

    _flaky_calls.clear()
    with app.app_context():
        job = jobs.Job(kind="test.quick_flaky", payload={}, state=jobs.QUEUED, done=0, attempts=0)
        db.session.add(job)
        db.session.commit()
        with pytest.raises(jobs.Retry):
            jobs.run(job.id, max_attempts=3)
        failed = db.session.get(jobs.Job, job.id)
        assert (failed.state, failed.attempts) == (jobs.QUEUED, 1) and "第 1 次执行出错" in failed.error
        db.session.remove()
        with statements() as seen:
            done = jobs.run(job.id, max_attempts=3)
        assert done.state == jobs.DONE and done.attempts == 2 and _flaky_calls == [1, 2]
        assert [s.split()[0] for s in seen] == ["SELECT", "UPDATE"]  # the job, then its one write (one commit)


def test_status_json_only_for_owner_or_jurisdiction(world, auth, client):
    from tests import factories
    from tests.programme.helpers import place_world
    from webapp.domain import roles

    places = place_world()
    owner = factories.user("job_owner", (roles.OFFICE_ADMIN,))
    owner.jurisdiction_id = places["130606"].id
    other = factories.user("job_other", (roles.OFFICE_ADMIN,))
    other.jurisdiction_id = places["130602"].id
    city = factories.user("job_city", (roles.OFFICE_ADMIN,))
    city.jurisdiction_id = places["130600"].id
    db.session.commit()
    job = jobs.enqueue("test.count", {"upto": 3}, user=owner, jurisdiction_id=places["130606"].id)
    url = f"/jobs/{job.id}.json"
    assert client.get(url).status_code in (302, 401)
    auth.login("job_owner")
    body = client.get(url).get_json()
    assert body["state"] == "done" and body["percent"] == 100 and body["result"] == {"counted": 3}
    assert client.get(f"/jobs/{job.id + 999}.json").status_code == 404
    auth.logout()
    auth.login("job_other")
    assert client.get(url).status_code == 404
    auth.logout()
    auth.login("job_city")
    assert client.get(url).status_code == 200


def test_embedded_thread_runs_after_commit(app):

    with app.app_context():
        app.config["JOBS_EAGER"] = False
        try:
            job = jobs.enqueue("test.count", {"upto": 4})
            assert job.state == jobs.QUEUED
            db.session.commit()
            job_id = job.id
            def done():
                db.session.expire_all()
                return db.session.get(jobs.Job, job_id).state == jobs.DONE

            wait_until(done, 60, "the job run by a thread")
            assert db.session.get(jobs.Job, job_id).result == {"counted": 4}
            rolled = jobs.enqueue("test.count", {"upto": 1})
            db.session.rollback()  # never committed: never dispatched
            assert "jobs_pending" not in db.session.info and rolled.id is not None
        finally:
            app.config.pop("JOBS_EAGER")
