"""Closing a follow-up task with evidence: text always, an image optionally (verified and re-encoded)."""
import hashlib

from flask import current_app
from sqlalchemy import select

from webapp.core import audit, clock, events, keyset, ledger
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.domain import filenames, roles
from webapp.domain.refusal import Refused
from webapp.stages.accounts.models import Department
from webapp.stages.field import imaging
from webapp.stages.field.uploads import discard_unreferenced
from webapp.stages.publication.models import FollowUpTask
from webapp.stages.records.media import make_thumbnail, thumbnail_key
from webapp.stages.records.models import Media

MAX_EVIDENCE_TEXT = 2000
MAX_IMAGE_PIXELS = imaging.MAX_PIXELS  # refused from the header, before decoding
MAX_EDGE_PX = imaging.MAX_SIDE  # larger photos are scaled down to what the phone sends


class FollowUpError(Refused):
    """A user-facing reason (in Chinese) why the task cannot be closed."""

    status = 422


def can_view(user, task: FollowUpTask) -> bool:
    if user.has_role(roles.OFFICE_ADMIN):
        return True
    return user.department_id == task.department_id and user.has_role(roles.DEPT_ADMIN, roles.REVIEWER)


def can_close(user, task: FollowUpTask) -> bool:
    """谁管辖、谁负责: only the admin of the department with jurisdiction closes its task."""
    return user.has_role(roles.DEPT_ADMIN) and user.department_id == task.department_id


def max_image_bytes() -> int:
    """The same limit as the field's photos (FIELD_MAX_IMAGE_BYTES, 15 MB unless configured)."""
    return current_app.config.get("FIELD_MAX_IMAGE_BYTES", imaging.MAX_BYTES)


def _evidence_image(task: FollowUpTask, data: bytes, user, filename: str | None = None) -> tuple[Media, list]:
    """The field's upload checks (`stages.field.imaging`: size, type by content, pixel cap from the header,
    structure check, decode, upright, scaled to the phone's size, re-encoded without metadata), then a Media row
    keyed by the SHA-256 of the bytes sent and stored under the re-encoded file's own hash, with its thumbnail:
    only server-made derivatives are ever served. Returns the row and the storage keys written by this call (so a
    failed commit can take them back)."""
    try:
        image = imaging.process(data, max_bytes=max_image_bytes(), max_pixels=MAX_IMAGE_PIXELS, max_side=MAX_EDGE_PX)
    except imaging.ImageRejected as rejected:
        raise FollowUpError(rejected.message, rejected.status) from None
    sent_sha = hashlib.sha256(data).hexdigest()
    media = db.session.scalar(select(Media).where(Media.record_id == task.record_id, Media.sha256 == sent_sha))
    if media is not None:
        return media, []
    meta = dict(image.meta, follow_up_task=task.id)
    meta["original"] = dict(meta["original"], sha256=sent_sha, filename=filenames.clean(filename))
    stored_sha = hashlib.sha256(image.data).hexdigest()
    media = Media(record_id=task.record_id, sha256=sent_sha, stored_sha=stored_sha, kind="evidence",
                  content_type=image.content_type, size=len(image.data), width=image.width, height=image.height,
                  uploaded_by_id=user.id, meta=meta)
    db.session.add(media)
    db.session.flush()
    store, written = storage(), []
    for key, body in ((stored_sha, image.data), (thumbnail_key(sent_sha), make_thumbnail(image.data))):
        if not store.exists(key):
            written.append(key)
        store.put(body, key)
    return media, written


def close(task: FollowUpTask, user, evidence: str, image: bytes | None = None,
          filename: str | None = None) -> FollowUpTask:
    """Close with evidence; caller commits. A closed task stays closed (its evidence is the record). A refusal or
    a failure here leaves no stored file without a row (the session is rolled back, the files taken back)."""
    if task.status == "closed":
        raise FollowUpError("该后续监管任务已办结。")
    evidence = FollowUpError.required_text(evidence, MAX_EVIDENCE_TEXT, "请填写办结情况（整改或处理结果）。", "办结情况")
    written = []
    try:
        if image is not None:
            task.evidence_media, written = _evidence_image(task, image, user, filename)
        task.evidence = evidence
        task.status = "closed"
        task.closed_by_id = user.id
        task.closed_at = clock.utcnow()
        audit.record("followup.close", task, user=user, record_id=task.record_id,
                     media_id=task.evidence_media.id if task.evidence_media else None)
        log_closed(task)
    except BaseException:
        db.session.rollback()
        discard_unreferenced(written)
        raise
    return task


def end_after_correction(record, department_id: int, user, note: str) -> list[FollowUpTask]:
    """An upheld objection whose corrected result needs no follow-up ends the department's open task: 办结, with
    the correction as its evidence (and its leaf in the log), so the public page stops saying 处理中."""
    tasks = db.session.scalars(select(FollowUpTask).where(
        FollowUpTask.record_id == record.id, FollowUpTask.department_id == department_id,
        FollowUpTask.status == "open")).all()
    for task in tasks:
        close(task, user, f"经企业异议复核，检查结果已更正，无需后续处理。{note}"[:MAX_EVIDENCE_TEXT])
    return tasks


def public_closure(task: FollowUpTask) -> dict:
    """What the public result page says of a closed task (the document its log leaf hashes)."""
    return {"record": task.record.token, "department": task.department.code, "status": "closed",
            "closed_on": clock.in_beijing(task.closed_at).date().isoformat()}


def log_closed(task: FollowUpTask):
    """A follow-up closed is a public act: a leaf of the transparency log, about the record."""
    document = public_closure(task)
    ledger.record_act("followup.closed", f"record:{task.record.token}:followup-{task.id}", document, **document)
    events.emit("follow_up.closed", dict(document, id=f"followup-{task.id}"),
                jurisdiction_id=task.record.plan.jurisdiction_id)


def in_jurisdictions(query, jurisdiction_ids):
    """Follow-up tasks of the departments of these jurisdictions (those an office sees). The departments are
    looked up first and named in the query: behind a subquery PostgreSQL guesses the filter keeps a few hundred
    of 1,000,000 tasks and sorts every task past the cursor instead of reading the (deadline, id) index in order."""
    departments = db.session.scalars(select(Department.id).where(
        Department.jurisdiction_id.in_(sorted(jurisdiction_ids)))).all()
    return query.where(FollowUpTask.department_id.in_(sorted(departments) or [-1]))


def open_counts(department_id=None, jurisdiction_ids=None) -> dict:
    """Counts for the home pages: open follow-up tasks (of one department, or all of the jurisdictions given)
    and how many are overdue, each exact up to keyset.EXACT_UP_TO and the planner's estimate past it (counting
    1,000,000 tasks cost 0.3 s of every office home page), with its label ("17", "约 900,000")."""
    query = select(FollowUpTask.id).where(FollowUpTask.status == "open")
    if jurisdiction_ids is not None:
        query = in_jurisdictions(query, jurisdiction_ids)
    if department_id is not None:
        query = query.where(FollowUpTask.department_id == department_id)
    out = {}
    for name, which in (("open", query), ("overdue", query.where(FollowUpTask.deadline < clock.today()))):
        n, estimated = keyset.count(which)
        out[name], out[f"{name}_label"] = n, keyset.label(n, estimated)
    return out
