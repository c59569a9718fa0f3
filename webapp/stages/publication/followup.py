"""Closing a follow-up task with evidence: text always, an image optionally (verified and re-encoded)."""
import hashlib
import io

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select

from webapp.core import audit, clock, ledger
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.domain import roles
from webapp.domain.refusal import Refused
from webapp.stages.publication.models import FollowUpTask
from webapp.stages.records.models import Media

MAX_EVIDENCE_TEXT = 2000
MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MAX_EDGE_PX = 2560


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


def _evidence_image(task: FollowUpTask, data: bytes, user) -> Media:
    if len(data) > MAX_IMAGE_BYTES:
        raise FollowUpError("图片过大（不超过 15 MB）。")
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.format not in ("JPEG", "PNG"):
                raise FollowUpError("只能上传 JPEG 或 PNG 图片。")
            if im.width * im.height > MAX_IMAGE_PIXELS:
                raise FollowUpError("图片像素过多。")
            im.load()
            im = im.convert("RGB")
            im.thumbnail((MAX_EDGE_PX, MAX_EDGE_PX))
            out = io.BytesIO()
            im.save(out, "JPEG", quality=85)  # re-encoded: no EXIF (positions, device) survives
            width, height = im.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise FollowUpError("上传的文件不是有效的图片。") from None
    clean = out.getvalue()
    sha = hashlib.sha256(clean).hexdigest()
    storage().put(clean, sha)
    media = db.session.scalar(select(Media).where(Media.record_id == task.record_id, Media.sha256 == sha))
    if media is None:
        media = Media(record_id=task.record_id, sha256=sha, kind="evidence", content_type="image/jpeg",
                      size=len(clean), width=width, height=height, uploaded_by_id=user.id,
                      meta={"follow_up_task": task.id})
        db.session.add(media)
        db.session.flush()
    return media


def close(task: FollowUpTask, user, evidence: str, image: bytes | None = None) -> FollowUpTask:
    """Close with evidence; caller commits. A closed task stays closed (its evidence is the record)."""
    if task.status == "closed":
        raise FollowUpError("该后续监管任务已办结。")
    evidence = (evidence or "").strip()
    if not evidence:
        raise FollowUpError("请填写办结情况（整改或处理结果）。")
    if len(evidence) > MAX_EVIDENCE_TEXT:
        raise FollowUpError(f"办结情况不超过 {MAX_EVIDENCE_TEXT} 字。")
    if image:
        task.evidence_media = _evidence_image(task, image, user)
    task.evidence = evidence
    task.status = "closed"
    task.closed_by_id = user.id
    task.closed_at = clock.utcnow()
    audit.record("followup.close", task, user=user, record_id=task.record_id,
                 media_id=task.evidence_media.id if task.evidence_media else None)
    log_closed(task)
    return task


def public_closure(task: FollowUpTask) -> dict:
    """What the public result page says of a closed task (the document its log leaf hashes)."""
    return {"record": task.record.token, "department": task.department.code, "status": "closed",
            "closed_on": clock.in_beijing(task.closed_at).date().isoformat()}


def log_closed(task: FollowUpTask):
    """A follow-up closed is a public act: a leaf of the transparency log, about the record."""
    document = public_closure(task)
    ledger.record_act("followup.closed", f"record:{task.record.token}:followup-{task.id}", document, **document)


def open_counts(department_id=None) -> dict:
    """Counts for the home pages: open follow-up tasks (of one department, or all) and how many are overdue."""
    query = select(func.count()).select_from(FollowUpTask).where(FollowUpTask.status == "open")
    if department_id is not None:
        query = query.where(FollowUpTask.department_id == department_id)
    return {
        "open": db.session.scalar(query),
        "overdue": db.session.scalar(query.where(FollowUpTask.deadline < clock.today())),
    }
