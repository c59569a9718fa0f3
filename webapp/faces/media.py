"""Serving a record's media to those who may see the record; never to the public.

Only what the record is made of is served as the record's (issue 10 §4): once submitted, the media the signed
findings name (`stages.field.submit.signed_media`: point photos, signature, seal, refusal evidence); anything
else uploaded to it (but the 补拍照片 its 补充说明 carry) answers 404, to reviewers and the team alike. Before submission nothing is signed, so the
uploads are the team's own work in progress: served to the team only (404 to reviewers and the office)."""
import io

from flask import Blueprint, Response, abort, send_file
from flask_login import current_user, login_required

from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.domain.status import RecordStatus
from webapp.stages.accounts.jurisdictions import sees
from webapp.stages.field import derivatives
from webapp.stages.field.submit import signed_media
from webapp.stages.records.access import can_see_record
from webapp.stages.records.media import make_thumbnail, thumbnail_key
from webapp.stages.records.models import Media
from webapp.stages.review.service import amendment_shas

bp = Blueprint("media", __name__, url_prefix="/media")

def _visible(media_id: int) -> Media:
    media = db.get_or_404(Media, media_id)
    record = media.record
    if not can_see_record(current_user, record):  # another jurisdiction's record: 404, not a hint that it exists
        abort(403 if sees(current_user, record.plan.jurisdiction_id) else 404)
    if record.status == RecordStatus.DISPATCHED:
        if record.member_for(current_user) is None:
            abort(404)
    elif media.sha256 not in signed_media(record) and media.sha256 not in amendment_shas(record):
        abort(404)
    return media


def only_signed(doc: dict) -> dict:
    """A record laid out by `review.document`, with the photo and evidence lists cut to the signed media: what
    the review page, the A4 print view and the PDF annex (附件：现场照片) show."""
    keep = signed_media(doc["record"])
    doc = dict(doc)
    doc["photos"] = [p for p in doc.get("photos", []) if p["media"].sha256 in keep]
    doc["evidence"] = [m for m in doc.get("evidence", []) if m.sha256 in keep]
    for key in ("signature", "seal"):
        if doc.get(key) is not None and doc[key].sha256 not in keep:
            doc[key] = None
    return doc


def _send(data: bytes, mimetype: str):
    response = send_file(io.BytesIO(data), mimetype=mimetype, max_age=0)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def placeholder(media: Media) -> Response:
    """While the derivative job has not run (or could not make a picture of the upload): a small picture saying
    so, never cached, in the place of the photo. The raw upload is never served."""
    words = "无法处理" if derivatives.failed(media) else "处理中"
    svg = PLACEHOLDER.format(words=words)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Media-State"] = "failed" if derivatives.failed(media) else "processing"
    return response


PLACEHOLDER = ('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240">'
               '<rect width="320" height="240" fill="#eef1f4"/><text x="160" y="128" font-size="32" '
               'text-anchor="middle" fill="#56606b" font-family="sans-serif">{words}</text></svg>')


def _ready(media_id, send):
    """`send(media)` for a visible, processed item; the placeholder while its derivatives are made (or failed)."""
    media = _visible(media_id)
    return send(media) if media.ready else placeholder(media)


@bp.route("/<int:media_id>")
@login_required
def full(media_id):
    return _ready(media_id, lambda media: _send(storage().read(media.storage_key), media.content_type))


def _thumbnail(media):
    store = storage()
    key = thumbnail_key(media.sha256)
    if not store.exists(key):
        store.put(make_thumbnail(store.read(media.storage_key)), key)
    return _send(store.read(key), "image/jpeg")


@bp.route("/<int:media_id>/thumb")
@login_required
def thumb(media_id):
    return _ready(media_id, _thumbnail)
