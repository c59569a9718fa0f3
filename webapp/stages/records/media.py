"""Thumbnails of a record's media, made once and kept beside the original in storage; discarding media that are
not part of their record (`spotcheck media prune`)."""
import io

from PIL import Image
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.stages.directory.models import ImportBatch
from webapp.stages.records.models import Media

THUMB_PX = 320


def thumbnail_key(sha256: str) -> str:
    return f"thumb-{sha256}"


def make_thumbnail(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        im = im.convert("RGB")
        im.thumbnail((THUMB_PX, THUMB_PX))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=80)
        return out.getvalue()


def discard(media: list) -> list[str]:
    """Delete these Media rows (caller commits) and return the storage keys that no remaining row refers to (the
    caller deletes them after the commit: rows first, so a failure never leaves a row without its file)."""
    ids = {m.id for m in media}
    candidates = {}
    for m in media:
        candidates[m.storage_key] = m.sha256
        candidates[thumbnail_key(m.sha256)] = m.sha256
    for m in media:
        db.session.delete(m)
    db.session.flush()
    gone = []
    for key, sha in candidates.items():
        if key.startswith("thumb-"):
            still = db.session.scalar(select(Media.id).where(Media.sha256 == sha, Media.id.not_in(ids)).limit(1))
        else:
            still = db.session.scalar(select(Media.id).where(
                (Media.stored_sha == key) | ((Media.stored_sha.is_(None)) & (Media.sha256 == key)),
                Media.id.not_in(ids)).limit(1))
            still = still or db.session.scalar(select(ImportBatch.id).where(ImportBatch.file_sha256 == key).limit(1))
        if still is None:
            gone.append(key)
    return gone
