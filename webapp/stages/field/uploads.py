"""Storing a photo, signature, seal or evidence image of a record, keyed by the SHA-256 of the bytes the phone
sent, so that an interrupted series of uploads resumes with what is missing and a replay changes nothing."""
import hashlib
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.domain import findings as rules
from webapp.domain.status import RecordStatus
from webapp.stages.field import imaging
from webapp.stages.field.outcome import Outcome, error
from webapp.stages.records.media import make_thumbnail, thumbnail_key
from webapp.stages.records.models import Media


def existing(record, sha256: str) -> Media | None:
    return db.session.scalar(select(Media).where(Media.record_id == record.id, Media.sha256 == sha256))


def _answer(media: Media, status: int) -> Outcome:
    return Outcome(status, {"sha256": media.sha256, "media_id": media.id})


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return clock.from_beijing(parsed)


def upload(record, user, file, claimed_sha: str | None, kind: str | None, captured_at: str | None) -> Outcome:
    if file is None:
        return error(422, "没有收到文件。")
    claimed_sha = (claimed_sha or "").strip().lower()
    if not rules.is_sha256(claimed_sha):
        return error(422, "缺少或错误的文件校验值（sha256）。")
    if kind not in rules.MEDIA_KINDS:
        return error(422, "图片类别不正确（应为照片、签字、印章或证据）。")
    limit = current_app.config.get("FIELD_MAX_IMAGE_BYTES", imaging.MAX_BYTES)
    data = file.read(limit + 1)
    if len(data) > limit:
        return error(413, f"图片超过 {limit // (1024 * 1024)} MB 的上限，请缩小后上传。", sha256=claimed_sha)
    if hashlib.sha256(data).hexdigest() != claimed_sha:
        return error(422, "文件校验值不符，上传可能不完整，请重试。", sha256=claimed_sha)

    media = existing(record, claimed_sha)
    if media is not None:  # a replay: the same answer, nothing changes
        return _answer(media, 200)
    if record.status != RecordStatus.DISPATCHED:
        return error(409, "该记录已提交，不能再添加图片。", sha256=claimed_sha)

    try:
        image = imaging.process(
            data, max_bytes=limit,
            max_pixels=current_app.config.get("FIELD_MAX_IMAGE_PIXELS", imaging.MAX_PIXELS),
        )
    except imaging.ImageRejected as rejected:
        return error(rejected.status, rejected.message, sha256=claimed_sha)

    store = storage()
    stored_sha = store.put(image.data)
    store.put(make_thumbnail(image.data), thumbnail_key(claimed_sha))
    meta = dict(image.meta)
    meta["original"]["sha256"] = claimed_sha
    meta["original"]["filename"] = (file.filename or "")[:200]
    if captured_at:
        meta["captured_at_client"] = captured_at[:64]
    media = Media(
        record=record, sha256=claimed_sha, stored_sha=stored_sha, kind=kind, content_type=image.content_type,
        size=len(image.data), width=image.width, height=image.height,
        captured_at=_parse_time(captured_at) or clock.from_beijing(image.taken_at), meta=meta, uploaded_by_id=user.id,
    )
    db.session.add(media)
    try:
        db.session.flush()
    except IntegrityError:  # the same upload raced in from another connection: it is there now
        db.session.rollback()
        media = existing(record, claimed_sha)
        if media is None:
            raise
        return _answer(media, 200)
    audit.record("field.media_uploaded", record, sha256=claimed_sha, kind=kind, media_id=media.id,
                 stored_sha=stored_sha, bytes=len(image.data))
    db.session.commit()
    return _answer(media, 201)
