"""The commit of a previewed import batch as a background job (webapp/core/jobs.py): a 100,000-row file applies
for tens of seconds, so the page's request only enqueues it and shows its progress. The commit itself is
`importing.commit`, unchanged: one transaction, claimed once (a second run finds the batch committed and fails
with its reason), so running the job twice never imports twice."""
from webapp.core import jobs
from webapp.core.extensions import db
from webapp.stages.accounts.models import User
from webapp.stages.directory import importing
from webapp.stages.directory.models import ImportBatch

KIND = "directory.import_commit"


def start(batch: ImportBatch, user) -> jobs.Job:
    """Enqueue the commit; pressed twice while it is queued or running, the same job. A batch no longer in
    preview gets a job of its own, which fails with the commit's reason (already imported, discarded…)."""
    key = f"{KIND}:{batch.id}" if batch.status == "preview" else None
    return jobs.enqueue(KIND, {"batch_id": batch.id}, user=user,
                        jurisdiction_id=batch.jurisdiction_id or getattr(user, "jurisdiction_id", None), key=key)


@jobs.task(KIND)
def commit_batch(job, *, batch_id: int):
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise jobs.JobError("导入批次不存在。")
    user = db.session.get(User, job.user_id) if job.user_id else None
    applied = importing.commit(batch, user, progress=job.progress)
    return {"batch": batch.id, **applied}
