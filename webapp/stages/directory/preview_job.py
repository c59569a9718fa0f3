"""Reading and planning an uploaded import file (the dry run) as a background job (webapp/core/jobs.py): a
100,000-row file takes seconds to read and check, so the upload's request only keeps the file, opens the batch
(`importing.receive`) and enqueues this; the batch's page shows the job's progress, then the preview. Idempotent:
a batch already read is left as it is (a second run only reports it)."""
from sqlalchemy import func, select

from webapp.core import jobs
from webapp.core.extensions import db
from webapp.stages.accounts.models import User
from webapp.stages.directory import importing
from webapp.stages.directory.models import ImportBatch

KIND = "directory.import_preview"


def start(kind: str, filename: str, data: bytes, user, department_id: int | None = None
          ) -> tuple[ImportBatch, jobs.Job]:
    """Keep the file and enqueue its reading (dispatched when the caller commits). Raises ImportFailed, having
    written nothing, for a file that is plainly no spreadsheet."""
    batch = importing.receive(kind, filename, data, user, department_id)
    return batch, _enqueue(batch, user, 0)


def again(batch: ImportBatch, user) -> jobs.Job:
    """Read a batch again (its headers mapped by the office, `importing.remap`): a job of its own."""
    made = db.session.scalar(select(func.count()).select_from(jobs.Job).where(jobs.Job.key.like(_prefix(batch))))
    return _enqueue(batch, user, made)


def _prefix(batch: ImportBatch) -> str:
    return f"{KIND}:{batch.id}:%"


def _enqueue(batch: ImportBatch, user, reading: int) -> jobs.Job:
    return jobs.enqueue(KIND, {"batch_id": batch.id}, user=user, key=f"{KIND}:{batch.id}:{reading}",
                        jurisdiction_id=batch.jurisdiction_id or getattr(user, "jurisdiction_id", None))


def job_of(batch: ImportBatch) -> jobs.Job | None:
    """The batch's latest reading."""
    return db.session.scalar(select(jobs.Job).where(jobs.Job.key.like(_prefix(batch))).order_by(jobs.Job.id.desc())
                             .limit(1))


@jobs.task(KIND)
def read_batch(job, *, batch_id: int):
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise jobs.JobError("导入批次不存在。")
    if batch.status == importing.READING:
        user = db.session.get(User, job.user_id) if job.user_id else None
        try:
            importing.read(batch, user, progress=job.progress)
        except importing.ImportFailed as e:
            db.session.rollback()
            importing.unreadable(batch_id, str(e))
            raise jobs.JobError(str(e)) from e
    if batch.status == importing.UNREADABLE:
        raise jobs.JobError(batch.summary.get("error") or "文件无法读取。")
    return {"batch": batch.id, "status": batch.status, **(batch.summary or {})}
