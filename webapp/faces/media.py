"""Serving a record's media to those who may see the record; never to the public."""
import io

from flask import Blueprint, abort, send_file
from flask_login import current_user, login_required

from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.stages.records.access import can_see_record
from webapp.stages.records.media import make_thumbnail, thumbnail_key
from webapp.stages.records.models import Media

bp = Blueprint("media", __name__, url_prefix="/media")

def _visible(media_id: int) -> Media:
    media = db.get_or_404(Media, media_id)
    if not can_see_record(current_user, media.record):
        abort(403)
    return media


def _send(data: bytes, mimetype: str):
    response = send_file(io.BytesIO(data), mimetype=mimetype, max_age=0)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/<int:media_id>")
@login_required
def full(media_id):
    media = _visible(media_id)
    return _send(storage().read(media.storage_key), media.content_type)


@bp.route("/<int:media_id>/thumb")
@login_required
def thumb(media_id):
    media = _visible(media_id)
    store = storage()
    key = thumbnail_key(media.sha256)
    if not store.exists(key):
        store.put(make_thumbnail(store.read(media.storage_key)), key)
    return _send(store.read(key), "image/jpeg")
