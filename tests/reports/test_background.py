"""A plan's long reports through the job queue (webapp/faces/reports/background.py): the bundle (a ZIP of every
一企一表 PDF and an index XLSX) and the XLSX exports, downloaded through /jobs/<id>/download with its checks."""
import io
import zipfile

import openpyxl
import pypdf

from tests import factories
from tests.conftest import csrf_token
from tests.factories import record_for_review
from tests.programme.helpers import place_world
from webapp.core import jobs
from webapp.core.extensions import db
from webapp.domain import roles


def _post(client, url):
    return client.post(url, data={"csrf_token": csrf_token(client, "/home")})


def _job_of(response) -> jobs.Job:
    from urllib.parse import parse_qs, urlsplit

    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    job_id = int(parse_qs(urlsplit(response.headers["Location"]).query)["job"][0])
    return db.session.get(jobs.Job, job_id)


def _two_records():
    first = record_for_review(departments=("jiaoti", "renshe"), photos=1)
    second = record_for_review(departments=("jiaoti",), refused=True, photos=0)
    return first.plan, [first, second]


def test_bundle_zip_holds_every_pdf_and_the_index(world, client, auth):
    plan, records = _two_records()
    auth.login("office")
    response = _post(client, f"/reports/plans/{plan.id}/bundle")
    job = _job_of(response)
    assert job.state == jobs.DONE and job.kind == "plan.bundle" and job.result["records"] == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "进度" not in page or "100" in page
    assert f"/jobs/{job.id}/download" in page and "一企一表-" in page

    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(download.get_data()))
    pdfs = sorted(n for n in archive.namelist() if n.endswith(".pdf"))
    assert len(pdfs) == 2 and "索引.xlsx" in archive.namelist()
    for name, record in zip(pdfs, records):
        assert record.entity.uscc in name
        text = pypdf.PdfReader(io.BytesIO(archive.read(name))).pages[0].extract_text()
        assert record.entity.name in text.replace("\n", "")
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("索引.xlsx")))["索引"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "企业名称", "统一社会信用代码", "检查部门", "记录状态", "文件名")
    assert [(r[2], r[5]) for r in rows[1:]] == [(rec.entity.uscc, name) for rec, name in zip(records, pdfs)]
    assert "莲池区教育和体育局" in rows[1][3] and rows[1][4] == records[0].status_label

    again = _job_of(_post(client, f"/reports/plans/{plan.id}/bundle"))
    assert again.id == job.id  # idempotent: the same records make the same job


def test_bundle_of_a_plan_without_submitted_records_says_why(world, client, auth):
    auth.login("office")
    response = _post(client, f"/reports/plans/{world.current.id}/bundle")
    assert response.status_code == 302 and "job=" not in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "还没有已提交的检查表" in page


def test_bundle_and_its_file_only_for_the_jurisdiction_office(world, client, auth):
    places = place_world()
    other = factories.user("other_office", (roles.OFFICE_ADMIN,))
    other.jurisdiction_id = places["130602"].id
    db.session.commit()
    plan, _ = _two_records()
    auth.login("office")
    job = _job_of(_post(client, f"/reports/plans/{plan.id}/bundle"))
    auth.logout()

    auth.login("other_office")  # 竞秀区: neither the plan, the job, nor its file
    assert _post(client, f"/reports/plans/{plan.id}/bundle").status_code == 404
    assert client.get(f"/jobs/{job.id}.json").status_code == 404
    assert client.get(f"/jobs/{job.id}/download").status_code == 404
    auth.logout()

    auth.login("jt_admin")  # same district, not the office: the bundle is the office's
    assert _post(client, f"/reports/plans/{plan.id}/bundle").status_code == 403
    assert client.get(f"/jobs/{job.id}/download").status_code == 404
    auth.logout()
    assert client.get(f"/jobs/{job.id}/download").status_code in (302, 401)


def test_large_exports_run_as_jobs_with_the_same_rows(world, app, client, auth):
    plan, records = _two_records()
    auth.login("office")
    direct = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/plans/{plan.id}/results.xlsx").get_data()))
    app.config["EXPORTS_DIRECT_MAX"] = 1
    page = client.get(f"/reports/dashboard?plan={plan.id}").get_data(as_text=True)
    assert f"/reports/plans/{plan.id}/exports/results" in page and "results.xlsx" not in page
    for kind, sheet in (("results", "检查结果"), ("teams", "抽取名单")):
        job = _job_of(_post(client, f"/reports/plans/{plan.id}/exports/{kind}"))
        assert job.state == jobs.DONE and job.percent == 100
        download = client.get(f"/jobs/{job.id}/download")
        assert download.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(download.get_data()))
        rows = list(book[sheet].iter_rows(values_only=True))
        assert {r[1] if kind == "teams" else r[3] for r in rows[1:]} == {r.entity.uscc for r in records}
        if kind == "results":
            assert rows == list(direct["检查结果"].iter_rows(values_only=True))
    assert _post(client, f"/reports/plans/{plan.id}/exports/nope").status_code == 404


def test_a_department_export_job_is_its_own(world, app, client, auth):
    plan, _ = _two_records()
    app.config["EXPORTS_DIRECT_MAX"] = 0
    auth.login("jt_admin")
    job = _job_of(_post(client, f"/reports/plans/{plan.id}/exports/results"))
    assert client.get(f"/jobs/{job.id}/download").status_code == 200
    auth.logout()
    auth.login("rs_admin")  # the same district may see the job, not another department's file
    assert client.get(f"/jobs/{job.id}/download").status_code == 404
