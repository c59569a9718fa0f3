"""Storing a photo, signature, seal or evidence image of a record, keyed by the SHA-256 of the bytes the phone
sent, so that an interrupted series of uploads resumes with what is missing and a replay changes nothing. The
request verifies and stores the raw bytes; the served copies are made by a job (`derivatives`)."""
import hashlib
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.core.storage import StorageError, storage
from webapp.domain import filenames, moments
from webapp.domain import findings as rules
from webapp.domain.status import RecordStatus
from webapp.stages.field import derivatives, imaging
from webapp.stages.field.outcome import Outcome, error
from webapp.stages.field.submit import unsigned_media
from webapp.stages.records.media import discard
from webapp.stages.records.models import Media


def existing(record, sha256: str) -> Media | None:
    return db.session.scalar(select(Media).where(Media.record_id == record.id, Media.sha256 == sha256))


def _answer(media: Media, status: int) -> Outcome:
    return Outcome(status, {"sha256": media.sha256, "media_id": media.id})


def _discard(keys) -> None:
    """After a refusal or a failure: remove the files this upload wrote, unless a row (committed, of this or
    another record: storage is content-addressed) refers to them. Nothing stays in storage without a row."""
    store = storage()
    for key in keys:
        in_use = db.session.scalar(select(Media.id).where(
            (Media.stored_sha == key) | (Media.sha256 == key) | (Media.sha256 == key.removeprefix("thumb-"))
        ).limit(1))
        if in_use is None:
            try:
                store.delete(key)
            except StorageError:
                pass


discard_unreferenced = _discard  # the same clean-up for other stages' uploads (follow-up evidence)


def upload(record, user, file, claimed_sha: str | None, kind: str | None, captured_at: str | None) -> Outcome:
    if file is None:
        return error(422, "没有收到文件。")
    claimed_sha = (claimed_sha or "").strip().lower()
    if not rules.is_sha256(claimed_sha):
        return error(422, "缺少或错误的文件校验值（sha256）。")
    if kind not in rules.MEDIA_KINDS:
        return error(422, "图片类别不正确（应为照片、签字、印章、证据或补拍照片）。")
    try:
        captured = moments.moment(captured_at, "拍摄时间（captured_at）", clock.utcnow())
    except moments.OutOfRange as refused:
        return error(422, refused.message, sha256=claimed_sha)
    limit = current_app.config.get("FIELD_MAX_IMAGE_BYTES", imaging.MAX_BYTES)
    data = file.read(limit + 1)
    if len(data) > limit:
        return error(413, f"图片超过 {limit // (1024 * 1024)} MB 的上限，请缩小后上传。", sha256=claimed_sha)
    if hashlib.sha256(data).hexdigest() != claimed_sha:
        return error(422, "文件校验值不符，上传可能不完整，请重试。", sha256=claimed_sha)

    # One look for the bytes: this record's row (a replay) and any other record's row already made ready.
    same = db.session.scalars(select(Media).where(Media.sha256 == claimed_sha).order_by(Media.id)).all()
    media = next((m for m in same if m.record_id == record.id), None)
    if media is not None:  # a replay: the same answer, nothing changes (a derivative still missing is asked for)
        answer = _answer(media, 200)
        if not media.ready and not derivatives.failed(media):
            derivatives.request(media)
            db.session.commit()
        return answer
    # A signed record takes no more pictures, except the 补拍照片 of a 补充说明 while it is returned.
    if kind == rules.AMENDMENT_MEDIA and record.status != RecordStatus.RETURNED:
        return error(409, "该记录未被退回，不需要补拍照片。", sha256=claimed_sha)
    if kind != rules.AMENDMENT_MEDIA and record.status != RecordStatus.DISPATCHED:
        return error(409, "该记录已提交，不能再添加图片。", sha256=claimed_sha)

    try:
        image = imaging.check(
            data, max_bytes=limit,
            max_pixels=current_app.config.get("FIELD_MAX_IMAGE_PIXELS", imaging.MAX_PIXELS),
        )
    except imaging.ImageRejected as rejected:
        return error(rejected.status, rejected.message, sha256=claimed_sha)

    meta = dict(image.meta)
    meta["original"]["sha256"] = claimed_sha
    meta["original"]["filename"] = filenames.clean(file.filename)
    if captured_at:
        meta["captured_at_client"] = captured_at.strip()[:64]
    taken = moments.in_range(image.taken_at, clock.utcnow())  # a camera's clock may say anything: not refused
    store = storage()
    # The raw bytes only (never served); the display copy and thumbnail are a job's (derivatives.py). A row of
    # another record with the same bytes already made them: this one shares them at once.
    made = next((m for m in same if m.ready and m.stored_sha is not None), None)
    media = Media(
        record=record, sha256=claimed_sha, kind=kind, content_type=image.content_type, size=len(data),
        width=image.width, height=image.height, captured_at=captured or taken, meta=meta, uploaded_by_id=user.id,
        ready=False,
    )
    if made is not None:
        media.stored_sha, media.content_type, media.size = made.stored_sha, made.content_type, made.size
        media.width, media.height, media.ready = made.width, made.height, True
    db.session.add(media)
    # The row first (a racing twin is found before anything is written), then the file, then the commit; on any
    # failure after the file was written it goes again (_discard), so storage never keeps a file with no row.
    try:
        db.session.flush()
    except IntegrityError:  # the same upload raced in from another connection: it is there now
        db.session.rollback()
        media = existing(record, claimed_sha)
        if media is None:
            raise
        return _answer(media, 200)
    written = []
    try:
        if not store.exists(claimed_sha):
            written.append(claimed_sha)
            store.put(data, claimed_sha)
        answer = _answer(media, 201)
        if not media.ready:
            derivatives.request(media)  # in this transaction: the job is sent when the row is committed
        # Its audit event goes in at the commit, after everything else (core.audit: the chain's lock is held briefly).
        audit.record("field.media_uploaded", record, sha256=claimed_sha, kind=kind, media_id=media.id,
                     bytes=len(data))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _discard(written)
        raise
    return answer


def prune(older_than: datetime, keep_ids=frozenset(), dry_run: bool = False) -> dict:
    """Delete the uploads that are not part of their record (`submit.unsigned_media`) on records submitted before
    `older_than`, rows and storage files, except the media ids in `keep_ids` (what a later stage refers to).
    Rows go first (committed, with one audit event per record), then the files no remaining row refers to.
    Returns {"media": n, "records": n, "files": n, "bytes": n}."""
    doomed = [m for m in unsigned_media(older_than) if m.id not in keep_ids]
    by_record: dict[int, list[Media]] = {}
    for m in doomed:
        by_record.setdefault(m.record_id, []).append(m)
    summary = {"media": len(doomed), "records": len(by_record), "files": 0, "bytes": sum(m.size for m in doomed)}
    if dry_run or not doomed:
        return summary
    for media in by_record.values():
        audit.record("field.media_pruned", media[0].record, media=[m.id for m in media],
                     sha256=[m.sha256 for m in media], older_than=older_than.isoformat())
    keys = discard(doomed)
    db.session.commit()
    store = storage()
    for key in keys:
        store.delete(key)
    summary["files"] = len(keys)
    return summary
