"""The display copy and thumbnail of a phone's upload, made by a background job (`field.imaging`) rather than in
the upload request: the request verifies and stores the raw bytes (`uploads.upload`), the job decodes, turns the
picture upright, scales it, re-encodes it without metadata (`imaging.derive`) and makes its 320 px thumbnail.

One job per row (`imaging:<sha256>:<media id>`), enqueued in the upload's transaction; it serves every row with
those raw bytes that is still waiting. It is idempotent: outputs are content-addressed (a file already stored is
kept), a row already ready is left alone, so a retried or repeated run changes nothing. Until it has run, the medium is not `ready`: pages show
「处理中」 and nothing is served; a print or PDF makes it inline (`ensure`)."""
import hashlib

from flask import current_app
from sqlalchemy import select

from webapp.core import jobs
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.stages.field import imaging
from webapp.stages.records.media import thumbnail_key, thumbnail_of
from webapp.stages.records.models import Media

KIND = "field.imaging"
FAILED_KEY = "derivative_error"  # in Media.meta: why the raw bytes could not be made into a picture


def job_key(media: Media) -> str:
    return f"imaging:{media.sha256}:{media.id}"


def request(media: Media) -> None:
    """Make sure a job will derive `media` (a flushed row; the caller commits, and the job is sent then). Each row
    has a job of its own: a job of the same bytes already queued might start before this row is committed and
    miss it. A job finding its rows ready already (a twin's job made them) does nothing."""
    with jobs.after_commit(db.session):  # eagerly (tests): run after the caller's commit, not inside it
        jobs.enqueue(KIND, {"sha256": media.sha256}, key=job_key(media))


def _waiting(sha256: str) -> list[Media]:
    return list(db.session.scalars(select(Media).where(Media.sha256 == sha256, Media.ready.is_(False))
                                   .order_by(Media.id)))


def derive(sha256: str, rows: list[Media] | None = None, commit: bool = True) -> dict:
    """Make the derivatives of the raw bytes stored under `sha256` and mark its waiting rows ready (committed
    unless `commit` is false: the job's one commit does it, with the job's state).
    A file Pillow cannot make a picture of is noted on the rows and raises ImageRejected (the job fails, in
    Chinese, without retrying)."""
    rows = _waiting(sha256) if rows is None else [m for m in rows if not m.ready]
    if not rows:
        return {"media": 0}
    store = storage()
    config = current_app.config
    try:
        image = imaging.derive(store.read(sha256),
                               max_pixels=config.get("FIELD_MAX_IMAGE_PIXELS", imaging.MAX_PIXELS))
    except imaging.ImageRejected as rejected:
        for m in rows:
            m.meta = {**(m.meta or {}), FAILED_KEY: rejected.message}
        db.session.commit()
        raise
    stored_sha = hashlib.sha256(image.data).hexdigest()
    store.put(image.data, stored_sha)
    thumb = thumbnail_key(sha256)
    if not store.exists(thumb):
        store.put(thumbnail_of(image.picture), thumb)
    for m in rows:
        meta = dict(m.meta or {})
        meta.pop(FAILED_KEY, None)
        if "scaled_to" in image.meta:
            meta["scaled_to"] = image.meta["scaled_to"]
        m.stored_sha, m.content_type, m.size = stored_sha, image.content_type, len(image.data)
        m.width, m.height, m.meta, m.ready = image.width, image.height, meta, True
    if commit:
        db.session.commit()
    return {"media": len(rows), "stored_sha": stored_sha, "bytes": len(image.data)}


@jobs.task(KIND, quick=True)
def imaging_job(job, *, sha256: str):
    return derive(sha256, commit=False)


def failed(media: Media) -> str | None:
    """Why the derivative could not be made, or None."""
    return None if media.ready else (media.meta or {}).get(FAILED_KEY)


def ensure(media: Media) -> bool:
    """For a print or PDF that cannot wait: make the derivative now if it is still missing (the job finds the row
    ready and does nothing). True when the medium is ready."""
    if media.ready:
        return True
    if failed(media):
        return False
    try:
        derive(media.sha256, [media])
    except imaging.ImageRejected:
        return False
    return media.ready
