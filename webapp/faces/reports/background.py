"""A plan's long reports as background jobs (webapp/core/jobs.py): the per-plan bundle (one ZIP with every 一企一表
PDF and an index XLSX) and the XLSX exports. Each writes its file to a temporary file, streams it into the media
store (a content hash as its key; never served by the media pages) and returns it as the job's `file`, which
/jobs/<id>/download serves after its checks (webapp/faces/jobs.py).

A job is keyed by what it would produce (the plan, the user's scope, a digest of the records' states), so
pressing the button twice, or two office admins pressing it, make one job; a record that changes makes a new
one."""
import hashlib
import tempfile
import zipfile
from contextlib import contextmanager

from flask import current_app, request
from sqlalchemy import select

from webapp.core import audit, jobs
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.domain import filenames, roles
from webapp.faces.reports import dashboard, document, exports
from webapp.stages.accounts.models import User
from webapp.stages.plans.models import Plan, PlanItem
from webapp.stages.review import parts as review_parts

ZIP = "application/zip"
STEP = 25  # records between two progress writes of an export


def submitted_records(plan: Plan, department_id: int | None):
    return [r for r in dashboard.plan_records(plan.id, department_id) if r.submitted_at]


def results_export(plan: Plan, department_id: int | None, progress=None) -> tuple[bytes, int]:
    """The results workbook for the user's scope (None: every department), and its number of records."""
    records = submitted_records(plan, department_id)
    titles = dict(db.session.execute(select(PlanItem.id, PlanItem.title).where(PlanItem.plan_id == plan.id)).all())
    parts = review_parts.parts_for(records)
    return exports.results_workbook(plan, records, titles, parts, department_id, progress=progress), len(records)


def teams_export(plan: Plan, department_id: int | None, progress=None) -> tuple[bytes, int]:
    records = dashboard.plan_records(plan.id, department_id)
    return exports.teams_workbook(plan, records, progress=progress), len(records)


def fingerprint(records) -> str:
    """A digest of the records' states (status, signed findings, each part's status): what a file depends on."""
    parts = review_parts.parts_for(records)
    digest = hashlib.sha256()
    for r in records:
        digest.update(f"{r.id}:{r.status}:{r.findings_hash}:".encode())
        digest.update(",".join(f"{p.department_id}={p.status}" for p in parts.get(r.id, [])).encode() + b";")
    return digest.hexdigest()[:32]


def _base_url() -> str:
    return current_app.config.get("PUBLIC_BASE_URL") or request.host_url


@contextmanager
def _as_request(base_url: str):
    """The job's renderings as a request to the site's address would make them (QR codes, url_for)."""
    with current_app.test_request_context("/", base_url=base_url or "http://localhost/"):
        yield


def _job_plan(job, plan_id):
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.jurisdiction_id != job.jurisdiction_id:
        raise jobs.JobError("抽查计划不存在。")
    return plan


def _store(tmp, job, filename: str, mimetype: str, **extra) -> dict:
    tmp.seek(0)
    key = storage().put_stream(tmp)
    return {"file": key, "filename": filename, "mimetype": mimetype, **extra}


# --- starting them (from the pages) -----------------------------------------------------------------------------

def start_bundle(plan: Plan, user) -> jobs.Job:
    records = submitted_records(plan, None)
    return jobs.enqueue("plan.bundle", {"plan_id": plan.id, "base_url": _base_url()}, user=user,
                        jurisdiction_id=plan.jurisdiction_id, key=f"plan.bundle:{plan.id}:{fingerprint(records)}")


def start_export(kind: str, plan: Plan, user) -> jobs.Job:
    department_id = dashboard.scope(user)
    records = dashboard.plan_records(plan.id, department_id)
    key = f"export.{kind}:{plan.id}:{user.id}:{department_id}:{fingerprint(records)}"
    return jobs.enqueue(f"export.{kind}", {"plan_id": plan.id, "department_id": department_id}, user=user,
                        jurisdiction_id=plan.jurisdiction_id, key=key)


# --- the tasks ----------------------------------------------------------------------------------------------------

def entry_name(n: int, record) -> str:
    name = filenames.clean(f"{n:04d}-{record.entity.uscc}-{record.entity.name}", 80).replace("/", "_")
    return f"{name}.pdf"


@jobs.task("plan.bundle")
def bundle(job, *, plan_id: int, base_url: str = ""):
    """Every submitted 一企一表 of the plan as PDF, and 索引.xlsx (enterprise, USCC, departments, status, file)."""
    plan = _job_plan(job, plan_id)
    records = submitted_records(plan, None)
    if not records:
        raise jobs.JobError("本计划还没有已提交的检查表，无可打包的一企一表。")
    index = []
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as zf, _as_request(base_url):
            for n, record in enumerate(records, 1):
                name = entry_name(n, record)
                zf.writestr(name, document.pdf(record))  # a PDF is compressed already: stored as it is
                index.append([n, record.entity.name, record.entity.uscc, exports.departments_of(record),
                              record.status_label, name])
                job.progress(n, len(records) + 1)
                db.session.commit()  # nothing of the bundle's to hold back: the progress is seen on SQLite too
            zf.writestr("索引.xlsx", exports.bundle_index(plan, index), compress_type=zipfile.ZIP_DEFLATED)
        result = _store(tmp, job, f"一企一表-{plan.doc_number}.zip", ZIP, records=len(records),
                        roles=[roles.OFFICE_ADMIN])
    audit.record("report.bundle", plan, user=db.session.get(User, job.user_id) if job.user_id else None,
                 records=len(records), file=result["file"])
    db.session.commit()
    return result


def _export(job, kind, plan_id, department_id):
    plan = _job_plan(job, plan_id)
    make, name = {"results": (results_export, "检查结果"), "teams": (teams_export, "抽取名单及检查组")}[kind]
    data, rows = make(plan, department_id, progress=job.progress)
    with tempfile.TemporaryFile() as tmp:
        tmp.write(data)
        result = _store(tmp, job, f"{name}-{plan.doc_number}.xlsx", exports.XLSX, rows=rows)
    audit.record(f"report.{kind}_xlsx", plan, user=db.session.get(User, job.user_id) if job.user_id else None,
                 rows=rows, via="job")
    db.session.commit()
    return result


@jobs.task("export.results")
def export_results(job, *, plan_id: int, department_id: int | None = None):
    return _export(job, "results", plan_id, department_id)


@jobs.task("export.teams")
def export_teams(job, *, plan_id: int, department_id: int | None = None):
    return _export(job, "teams", plan_id, department_id)
