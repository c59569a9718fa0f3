"""The display copy and thumbnail of a phone's upload, made by a background job (`field.imaging`) rather than in
the upload request: the request verifies and stores the raw bytes (`uploads.upload`), the job decodes, turns the
picture upright, scales it, re-encodes it without metadata (`imaging.derive`) and makes its 320 px thumbnail.

One job per content hash (`imaging:<sha256>`): every row with those raw bytes that is still waiting is served
by it. It is idempotent: outputs are content-addressed (a file already stored is kept), a row already ready is
left alone, so a retried or repeated run changes nothing. Until it has run, the medium is not `ready`: pages show
「处理中」 and nothing is served; a print or PDF makes it inline (`ensure`)."""
import hashlib
import logging

from flask import current_app
from sqlalchemy import select

from webapp.core import jobs
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.stages.field import imaging
from webapp.stages.records.media import make_thumbnail, thumbnail_key
from webapp.stages.records.models import Media

log = logging.getLogger(__name__)

KIND = "field.imaging"
FAILED_KEY = "derivative_error"  # in Media.meta: why the raw bytes could not be made into a picture


def job_key(sha256: str) -> str:
    return f"imaging:{sha256}"


def request(media: Media) -> None:
    """After the upload's commit: make sure a job will derive `media`. The job of its content hash serves it
    when still queued (it selects its rows when it starts); one already running or done may have missed this
    row, so it gets a run of its own. The upload is committed already: a failure here (the queue unreachable) is
    logged, not the phone's error; its replay asks again, and a print makes the derivative inline."""
    try:
        job = jobs.enqueue(KIND, {"sha256": media.sha256}, key=job_key(media.sha256))
        db.session.commit()
        if job.state == jobs.QUEUED:
            return
        db.session.refresh(media)
        if not media.ready:
            jobs.enqueue(KIND, {"sha256": media.sha256}, key=f"{job_key(media.sha256)}:{media.id}")
            db.session.commit()
    except Exception:  # noqa: BLE001 — the upload stands; the derivative is asked for again
        db.session.rollback()
        log.exception("could not queue the derivatives of %s", media.sha256)


def _waiting(sha256: str) -> list[Media]:
    return list(db.session.scalars(select(Media).where(Media.sha256 == sha256, Media.ready.is_(False))
                                   .order_by(Media.id)))


def derive(sha256: str, rows: list[Media] | None = None) -> dict:
    """Make the derivatives of the raw bytes stored under `sha256` and mark its waiting rows ready (committed).
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
        store.put(make_thumbnail(image.data), thumb)
    for m in rows:
        meta = dict(m.meta or {})
        meta.pop(FAILED_KEY, None)
        if "scaled_to" in image.meta:
            meta["scaled_to"] = image.meta["scaled_to"]
        m.stored_sha, m.content_type, m.size = stored_sha, image.content_type, len(image.data)
        m.width, m.height, m.meta, m.ready = image.width, image.height, meta, True
    db.session.commit()
    return {"media": len(rows), "stored_sha": stored_sha, "bytes": len(image.data)}


@jobs.task(KIND)
def imaging_job(job, *, sha256: str):
    return derive(sha256)


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
