"""Real work through the job queue (webapp/core/jobs.py): publishing a plan, executing a draw, committing an
import, each a job with its progress and result; the embedded thread backend polled until done; a failed keyed
job started again; the CLI's progress bar on a terminal."""
import fcntl
import io
import os
import pty
import select as io_select
import struct
import sys
import termios
from urllib.parse import parse_qs, urlsplit

import openpyxl
from sqlalchemy import func, select

from tests import factories
from tests.browser.helpers import wait_until
from tests.conftest import csrf_token
from tests.programme.helpers import place_world
from webapp.core import jobs
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.stages.directory.models import Entity, ImportBatch
from webapp.stages.draw import ceremony
from webapp.stages.records.models import InspectionRecord


def _post(client, url, page="/home", **data):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def _jobs(kind):
    return db.session.scalars(select(jobs.Job).where(jobs.Job.kind == kind).order_by(jobs.Job.id)).all()


def test_publishing_a_plan_is_a_job_with_progress(world, client, auth):
    plan = factories.current_plan()
    records = [factories.approved_record(plan, e) for e in factories.directory_entities(3)]
    auth.login("office")
    page = f"/publication/plans/{plan.id}"
    response = _post(client, f"{page}/publish", page, all="1")
    assert response.status_code == 302 and "job=" not in response.headers["Location"]  # eager: done at once
    assert "已公示 3 份检查表" in client.get(response.headers["Location"]).get_data(as_text=True)
    [job] = _jobs("publication.plan")
    assert job.state == jobs.DONE and job.result == {"published": 3} and (job.done, job.total) == (4, 4)
    assert job.jurisdiction_id == plan.jurisdiction_id and job.user_id == factories.get_user("office").id
    db.session.expire_all()
    assert {r.status for r in records} == {"published"}
    again = _post(client, f"{page}/publish", page, all="1")  # nothing approved left: the refusal, as before
    assert "没有选择要公示的检查表" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_executing_the_inspectors_draw_dispatches_through_a_job(world, client, auth):
    d = factories.entity_draw(world.current)
    factories.confirm_all(d)
    prepared = ceremony.prepare(world.current, "inspectors", factories.get_user("office"))
    db.session.commit()
    auth.login("office")
    page = f"/draw/plans/{world.current.id}"
    response = _post(client, f"/draw/{prepared.id}/execute", page, witness="31 41 59")
    assert response.status_code == 302
    [job] = _jobs("draw.execute")
    assert job.state == jobs.DONE and job.result["status"] == "executed" and job.percent == 100
    made = db.session.scalar(select(func.count()).select_from(InspectionRecord)
                             .where(InspectionRecord.plan_id == world.current.id))
    assert made == len(d.result["selected"])
    html = client.get(_post(client, f"/draw/{prepared.id}/execute", page).headers["Location"]).get_data(as_text=True)
    assert "不能再次执行" in html and [j.state for j in _jobs("draw.execute")] == [jobs.DONE, jobs.FAILED]


def test_import_commit_is_a_job_and_reports_rows(world, client, auth):
    from tests.directory.helpers import upload, xlsx
    from tests.directory.test_entity_import import CODES, HEADER, row

    codes = CODES[:3]
    auth.login("office")
    response = upload(client, "entities", xlsx(HEADER, [row(c) for c in codes]))
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    done = _post(client, f"/directory/imports/{batch.id}/commit", response.location)
    assert "已导入：新增 3 条" in client.get(done.headers["Location"]).get_data(as_text=True)
    [job] = _jobs("directory.import_commit")
    assert job.state == jobs.DONE and job.result["created"] == 3 and (job.done, job.total) == (3, 3)
    assert db.session.scalar(select(func.count()).select_from(Entity).where(Entity.uscc.in_(codes))) == 3
    twice = _post(client, f"/directory/imports/{batch.id}/commit", response.location)
    assert "该批次不在预览状态" in client.get(twice.headers["Location"]).get_data(as_text=True)


def test_thread_backend_export_polled_until_done(world, app, client, auth):
    first = factories.record_for_review(departments=("jiaoti",))
    app.config.update(JOBS_EAGER=False, EXPORTS_DIRECT_MAX=0)
    try:
        auth.login("office")
        response = _post(client, f"/reports/plans/{first.plan_id}/exports/results")
        job_id = int(parse_qs(urlsplit(response.headers["Location"]).query)["job"][0])
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "data-job-progress" in page and f"/jobs/{job_id}.json" in page
        body = wait_until(lambda: (b := client.get(f"/jobs/{job_id}.json").get_json())["state"] in ("done", "failed")
                          and b, 120, "the export job")
        assert body["state"] == "done", body
        assert body["percent"] == 100 and body["result"]["rows"] == 1 and body["result"]["filename"].endswith(".xlsx")
        book = openpyxl.load_workbook(io.BytesIO(client.get(f"/jobs/{job_id}/download").get_data()))
        assert [r[3] for r in book["检查结果"].iter_rows(min_row=2, values_only=True)] == [first.entity.uscc]
    finally:
        app.config["JOBS_EAGER"] = None
        app.config.pop("JOBS_EAGER")


def test_a_failed_keyed_job_can_be_started_again(app):
    calls = []

    @jobs.task("test.fails_once")
    def _once(job):
        calls.append(job.id)
        if len(calls) == 1:
            raise jobs.JobError("第一次：名录库中没有该企业")
        return {"ok": True}

    failed = jobs.enqueue("test.fails_once", {}, key="once")
    assert failed.state == jobs.FAILED and "名录库" in failed.error
    again = jobs.enqueue("test.fails_once", {}, key="once")
    assert again.id != failed.id and again.state == jobs.DONE
    assert jobs.enqueue("test.fails_once", {}, key="once").id == again.id  # done: kept
    assert db.session.get(jobs.Job, failed.id).key.startswith("once#failed-")


def test_another_districts_user_gets_404_on_a_publication_job(world, client, auth):
    places = place_world()
    other = factories.user("jx_office", (roles.OFFICE_ADMIN,))
    other.jurisdiction_id = places["130602"].id
    db.session.commit()
    plan = factories.current_plan()
    factories.approved_record(plan, factories.directory_entities(1)[0])
    auth.login("office")
    _post(client, f"/publication/plans/{plan.id}/publish", f"/publication/plans/{plan.id}", all="1")
    [job] = _jobs("publication.plan")
    assert client.get(f"/jobs/{job.id}.json").status_code == 200
    assert client.get(f"/jobs/{job.id}/download").status_code == 404  # no file to give
    auth.logout()
    auth.login("jx_office")
    assert client.get(f"/jobs/{job.id}.json").status_code == 404
    assert "data-job-progress" not in client.get(f"/home?job={job.id}").get_data(as_text=True)


def test_cli_progress_bar_only_on_a_terminal(monkeypatch):
    from webapp.faces.cli import progress

    with progress.bar("导入") as tick:  # pytest's stderr is no terminal
        assert tick is None
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    terminal = os.fdopen(slave, "w", encoding="utf-8")
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress.bar("导入") as tick:
        tick(5, 10)
        tick(10, 10)
    terminal.flush()
    out = b""
    while io_select.select([master], [], [], 0)[0]:  # everything written is already there: read it all
        out += os.read(master, 65536)
    terminal.close()
    os.close(master)
    shown = out.decode("utf-8", "replace")
    assert "导入" in shown and "100%" in shown and "10/10" in shown
