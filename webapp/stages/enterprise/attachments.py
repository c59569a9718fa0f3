"""Files the enterprise or the public send: photos (verified and re-encoded without EXIF, as inspectors' uploads
are: `field.imaging`) and PDF documents (structure and active content checked), size- and number-limited."""
import hashlib
import re

from flask import current_app
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.domain import filenames
from webapp.domain.refusal import Refused
from webapp.stages.enterprise.models import Attachment
from webapp.stages.field import imaging

MAX_FILES = 3
MAX_BYTES = 10 * 1024 * 1024
# Active content a PDF viewer may run: refused, an evidence document never needs it.
ACTIVE_PDF = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")


class AttachmentRefused(Refused):
    status = 422


def _limit() -> int:
    return current_app.config.get("ENTERPRISE_MAX_FILE_BYTES", MAX_BYTES)


def _pdf(data: bytes) -> bytes:
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise AttachmentRefused("PDF 文件不完整或不是有效的 PDF，请重新导出后上传。")
    if ACTIVE_PDF.search(data):
        raise AttachmentRefused("PDF 文件含有脚本或嵌入文件，不能上传；请另存为普通 PDF 后再传。")
    return data


def verify(files) -> list[tuple[bytes, str, str]]:
    """(data, content type, clean name) of each non-empty upload, or AttachmentRefused with the reason. Every
    file is checked before anything is stored, so a refused batch stores nothing."""
    files = [f for f in files or [] if f is not None and f.filename]
    if len(files) > MAX_FILES:
        raise AttachmentRefused(f"最多上传 {MAX_FILES} 个附件。")
    limit = _limit()
    out = []
    for f in files:
        data = f.read(limit + 1)
        name = filenames.clean(f.filename, 100)
        if len(data) > limit:
            raise AttachmentRefused(f"附件“{name}”超过 {limit // (1024 * 1024)} MB 的上限。", 413)
        if not data:
            raise AttachmentRefused(f"附件“{name}”是空文件。")
        if data.startswith(b"%PDF-"):
            out.append((_pdf(data), "application/pdf", name))
            continue
        try:
            image = imaging.process(data, max_bytes=limit)
        except imaging.ImageRejected as rejected:
            if "不是 JPEG 或 PNG" in rejected.message:
                raise AttachmentRefused(f"附件“{name}”只能是照片（JPEG、PNG）或 PDF 文件。", 415) from None
            raise AttachmentRefused(f"附件“{name}”：{rejected.message}", rejected.status) from None
        out.append((image.data, image.content_type, name))
    return out


def store(verified, owner: str, owner_id: int, department_id: int, jurisdiction_id) -> list[Attachment]:
    """Rows for verified files, written to storage under their SHA-256 (caller commits)."""
    made = []
    for data, content_type, name in verified:
        sha = hashlib.sha256(data).hexdigest()
        storage().put(data, sha)
        att = Attachment(owner=owner, owner_id=owner_id, department_id=department_id,
                         jurisdiction_id=jurisdiction_id, sha256=sha, content_type=content_type,
                         size=len(data), filename=name)
        db.session.add(att)
        made.append(att)
    db.session.flush()
    return made


def of(owner: str, owner_id: int) -> list[Attachment]:
    return db.session.scalars(select(Attachment).where(Attachment.owner == owner, Attachment.owner_id == owner_id)
                              .order_by(Attachment.id)).all()


def read(att: Attachment) -> bytes:
    return storage().read(att.sha256)
