"""Thumbnails of a record's media, made once and kept beside the original in storage."""
import io

from PIL import Image

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
