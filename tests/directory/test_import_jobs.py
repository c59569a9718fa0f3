"""The dry run of an upload is a background job (issue 17): the request keeps the file and enqueues its reading,
the batch's page shows the job's progress bar, then the preview; the commit is a job too. Real uploads through
the Flask test client, the jobs run by the in-process runner (`jobs.run`, as the worker and the embedded thread
do); queued behind a real Redis broker with no worker, the request is seen to return before any row is read."""
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import event, func, select

from tests.conftest import waiting_jobs
from webapp.core import jobs
from webapp.core.extensions import db
from webapp.stages.directory import preview_job
from webapp.stages.directory.models import Entity, ImportBatch, ImportRow

from .helpers import csv_file, post, upload, xlsx
from .test_entity_import import CODES, HEADER, bad_checksum, row

queued = waiting_jobs(10)  # jobs wait in Redis (no worker) until the test runs them


def last_batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def job_in(location: str) -> int:
    return int(parse_qs(urlsplit(location).query)["job"][0])


def test_the_upload_request_only_keeps_the_file_and_the_page_shows_the_reading_then_the_preview(
        app, world, client, auth, queued):
    auth.login("office")
    rows = [row(c) for c in CODES[:4]] + [row(bad_checksum(CODES[4])), row(CODES[5], risk="特高")]
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731 — every statement the request sends
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        response = upload(client, "entities", xlsx(HEADER, rows), "名录.xlsx")
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert response.status_code == 302
    batch, job_id = last_batch(), job_in(response.location)
    # Returned before the file was read: no header known, no row planned, the job waiting in the queue.
    assert batch.status == "reading" and batch.headers == [] and batch.summary == {}
    assert count(ImportRow, ImportRow.batch_id == batch.id) == 0
    assert not [s for s in statements if s.startswith(("INSERT INTO import_rows", "COPY"))]
    assert [s for s in statements if s.startswith("INSERT INTO jobs")]
    job = db.session.get(jobs.Job, job_id)
    assert (job.kind, job.state, job.done, job.total) == (preview_job.KIND, jobs.QUEUED, 0, None)

    page = client.get(response.location).get_data(as_text=True)
    assert "data-job-progress" in page and f"/jobs/{job_id}.json" in page and "读取并检查导入文件" in page
    assert "正在后台读取" in page
    # Come back without the job's id: sent to the page with its progress bar.
    assert client.get(f"/directory/imports/{batch.id}").location.endswith(f"job={job_id}")
    assert client.get(f"/jobs/{job_id}.json").get_json()["state"] == "queued"

    done = jobs.run(job_id)  # what the worker does with the message
    assert done.state == jobs.DONE and done.done == done.total and done.total >= 6
    status = client.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and status["percent"] == 100 and status["result"]["create"] == 4
    batch = last_batch()
    assert batch.status == "preview" and batch.headers == HEADER
    assert batch.summary == {"create": 4, "update": 0, "unchanged": 0, "rejected": 2, "blank": 0}
    html = client.get(f"/directory/imports/{batch.id}?action=all").get_data(as_text=True)
    assert "导入预览" in html and "确认导入（新增 4，更新 0）" in html and "风险等级无法识别：特高" in html
    assert count(Entity, Entity.uscc.in_(CODES)) == 0  # a dry run

    # The commit: a job too; the good rows go in, the bad ones stay out.
    response = post(client, f"/directory/imports/{batch.id}/commit", page=f"/directory/imports/{batch.id}")
    commit_id = job_in(response.location)
    assert db.session.get(jobs.Job, commit_id).state == jobs.QUEUED and count(Entity, Entity.uscc.in_(CODES)) == 0
    assert jobs.run(commit_id).result["created"] == 4
    assert count(Entity, Entity.uscc.in_(CODES)) == 4
    # The reading's message delivered again (a worker that died before acknowledging it): nothing read twice.
    job = db.session.get(jobs.Job, job_id)
    job.state = jobs.RUNNING
    db.session.commit()
    assert jobs.run(job_id).result["status"] == "committed"
    assert count(ImportRow, ImportRow.batch_id == batch.id) == 6 and count(Entity, Entity.uscc.in_(CODES)) == 4


def test_in_process_the_upload_reads_and_the_preview_follows_then_the_commit(app, world, client, auth):
    auth.login("office")
    response = upload(client, "entities", xlsx(HEADER, [row(c) for c in CODES[:3]] + [row("91130606")]))
    batch = last_batch()
    assert response.location.endswith(f"/directory/imports/{batch.id}") and batch.status == "preview"
    job = preview_job.job_of(batch)
    assert job.state == jobs.DONE and job.result["create"] == 3 and job.result["rejected"] == 1
    html = client.get(response.location).get_data(as_text=True)
    assert "统一社会信用代码格式不正确" in html
    post(client, f"/directory/imports/{batch.id}/commit", page=response.location)
    assert count(Entity, Entity.uscc.in_(CODES)) == 3


def test_a_file_that_only_looks_like_a_workbook_fails_its_job_in_chinese_and_writes_no_row(
        app, world, client, auth):
    auth.login("office")
    response = upload(client, "entities", b"PK\x03\x04" + b"\x00broken" * 64, "名录.xlsx")
    batch = last_batch()
    assert batch.status == "unreadable" and "不是有效的 XLSX 工作簿" in batch.summary["error"]
    job = preview_job.job_of(batch)
    assert job.state == jobs.FAILED and "不是有效的 XLSX 工作簿" in job.error
    assert count(ImportRow, ImportRow.batch_id == batch.id) == 0
    assert "不是有效的 XLSX 工作簿" in client.get(response.location).get_data(as_text=True)
    page = client.get(f"/directory/imports/{batch.id}").get_data(as_text=True)
    assert "无法读取" in page and "重新选择文件" in page
    # Nothing to commit.
    html = post(client, f"/directory/imports/{batch.id}/commit", follow=True).get_data(as_text=True)
    assert "该批次不在预览状态" in html


def test_another_office_cannot_see_the_reading_batch_or_its_job(app, world, client, auth, queued):
    auth.login("office")
    response = upload(client, "entities", xlsx(HEADER, [row(CODES[0])]))
    batch, job_id = last_batch(), job_in(response.location)
    for other in ("jt_admin", "jt01"):  # a department's admin, an inspector: not the office's job to see
        auth.logout()
        auth.login(other)
        assert client.get(f"/jobs/{job_id}.json").status_code == 404
    assert client.get(f"/directory/imports/{batch.id}").status_code == 403


def test_the_mapped_file_is_read_again_by_a_job_of_its_own(app, world, client, auth, queued):
    auth.login("office")
    data = csv_file(["代码", "机构全称", "等级"], [[CODES[0], "保定市莲池区博学书法培训学校", "一般风险"]], "gbk")
    first = jobs.run(job_in(upload(client, "entities", data, "export.csv").location))
    batch = last_batch()
    assert first.state == jobs.DONE and batch.status == "mapping"
    mapping = f"/directory/imports/{batch.id}/mapping"
    response = post(client, mapping, {"col0": "uscc", "col1": "name", "col2": "risk_level"}, page=mapping)
    job_id = job_in(response.location)
    assert job_id != first.id and last_batch().status == "reading" and last_batch().mapping["代码"] == "uscc"
    assert preview_job.job_of(batch).id == job_id
    assert jobs.run(job_id).result["create"] == 1 and last_batch().status == "preview"
