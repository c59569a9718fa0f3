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
    """A 320 px JPEG of an (upright, server-made) image. A JPEG is decoded at the smallest DCT scale (1/2, 1/4,
    1/8) still at least 320 px on its long side (`draft`): a 1600×1200 photo decodes as 400×300."""
    with Image.open(io.BytesIO(data)) as im:
        if im.format == "JPEG":
            width, height = im.size
            scale = max(1.0, max(width, height) / THUMB_PX)
            im.draft("RGB", (max(1, int(width / scale)), max(1, int(height / scale))))
        return thumbnail_of(im)


def thumbnail_of(im: Image.Image) -> bytes:
    """A 320 px JPEG of a decoded image: first shrunk by a whole factor (a box filter, cheap), then resampled to
    size; a 1600×1200 picture the derivative job has just decoded costs ~5 ms this way instead of a second decode."""
    given = im
    if im.mode != "RGB":
        im = im.convert("RGB")  # convert() of an RGB picture would copy its every pixel for nothing
    factor = max(im.size) // THUMB_PX
    if factor > 1:
        im = im.reduce(factor)
    elif im is given:
        im = im.copy()  # thumbnail() works in place: the caller's picture stays as it was
    im.thumbnail((THUMB_PX, THUMB_PX))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=80)
    return out.getvalue()


def discard(media: list) -> list[str]:
    """Delete these Media rows (caller commits) and return the storage keys that no remaining row refers to (the
    caller deletes them after the commit: rows first, so a failure never leaves a row without its file)."""
    ids = {m.id for m in media}
    candidates = {}
    raw = set()
    for m in media:
        if m.storage_key is not None:
            candidates[m.storage_key] = m.sha256
        if not m.ready or (m.stored_sha and m.stored_sha != m.sha256):  # the phone's raw bytes, under their hash
            candidates[m.sha256] = m.sha256
            raw.add(m.sha256)
        candidates[thumbnail_key(m.sha256)] = m.sha256
    for m in media:
        db.session.delete(m)
    db.session.flush()
    gone = []
    for key, sha in candidates.items():
        if key.startswith("thumb-") or key in raw:
            still = db.session.scalar(select(Media.id).where(Media.sha256 == sha, Media.id.not_in(ids)).limit(1))
        else:
            still = db.session.scalar(select(Media.id).where(
                (Media.stored_sha == key) | ((Media.stored_sha.is_(None)) & (Media.sha256 == key)),
                Media.id.not_in(ids)).limit(1))
            still = still or db.session.scalar(select(ImportBatch.id).where(ImportBatch.file_sha256 == key).limit(1))
        if still is None:
            gone.append(key)
    return gone
