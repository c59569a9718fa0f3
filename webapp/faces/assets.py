"""Static files for a weak phone on a bad network: content-versioned URLs served immutable, text compressed.

- `url_for("static", filename=…)` gains `?v=<hash of the file>`; the field app's files are addressed under
  `/static/v/<version>/field/…` (faces/field/shell.py), a prefix, so that the ES modules' relative imports stay
  versioned too. A URL whose hash is the file's current one is served `public, max-age=31536000, immutable`; any
  other (an old hash after a deploy, or none) is served `no-cache` with an ETag.
- Text (HTML, CSS, JS, JSON, the manifest, SVG) of 1 KB or more goes out brotli-compressed when the browser
  accepts it, gzip otherwise; static files are compressed once per content and kept in memory.
- `/favicon.ico`, made from the app's icon.
"""
import gzip
import hashlib
import io
import mimetypes
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request
from werkzeug.security import safe_join

try:
    import brotli
except ImportError:  # gzip alone then
    brotli = None

bp = Blueprint("assets", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = {
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "application/manifest+json", "image/svg+xml", "text/plain",
}
COMPRESS_FROM = 1024
FAVICON_SIZES = [(16, 16), (32, 32), (48, 48)]


@lru_cache(maxsize=512)
def _loaded(path: str, mtime_ns: int, size: int) -> tuple[bytes, str, dict]:
    """The file's bytes, its SHA-256 and a cache of its compressed forms, by path and stat (a change reloads)."""
    data = Path(path).read_bytes()
    return data, hashlib.sha256(data).hexdigest(), {}


def load(path: Path):
    st = path.stat()
    return _loaded(str(path), st.st_mtime_ns, st.st_size)


def static_file(filename: str) -> Path | None:
    joined = safe_join(current_app.static_folder, filename)
    return Path(joined) if joined and Path(joined).is_file() else None


def file_token(filename: str) -> str | None:
    path = static_file(filename)
    return load(path)[1][:12] if path else None


def expected_token(filename: str) -> str | None:
    """The hash a current URL of `filename` carries: the field app's version for its files, else the file's own."""
    from webapp.faces.field import shell

    if filename.startswith(shell.STATIC_SUBDIR + "/"):
        return shell.version()
    return file_token(filename)


def accepted_encoding() -> str | None:
    accepts = request.accept_encodings
    if brotli is not None and accepts["br"]:
        return "br"
    return "gzip" if accepts["gzip"] else None


def compress(data: bytes, encoding: str, static: bool) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=11 if static else 5)
    return gzip.compress(data, compresslevel=9 if static else 6, mtime=0)


def serve(filename: str, immutable: bool) -> Response:
    path = static_file(filename)
    if path is None:
        abort(404)
    data, sha, packed = load(path)
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if mimetype == "application/javascript":
        mimetype = "text/javascript"
    etag = sha[:32]
    headers = {"Cache-Control": IMMUTABLE if immutable else "no-cache"}
    encoding = accepted_encoding() if mimetype in COMPRESSIBLE and len(data) >= COMPRESS_FROM else None
    if mimetype in COMPRESSIBLE:
        headers["Vary"] = "Accept-Encoding"
    if encoding:
        if encoding not in packed:
            packed[encoding] = compress(data, encoding, static=True)
        data = packed[encoding]
        headers["Content-Encoding"] = encoding
        etag = f"{etag}-{encoding}"
    response = Response(data, mimetype=mimetype, headers=headers)
    response.set_etag(etag)
    return response.make_conditional(request)


@bp.get("/static/v/<token>/<path:filename>")
def versioned(token, filename):
    return serve(filename, immutable=token == expected_token(filename))


def plain_static(filename):
    """Flask's /static/<filename> view, replaced: `?v=` with the file's hash is immutable, anything else revalidates."""
    version = request.args.get("v")
    return serve(filename, immutable=bool(version) and version == file_token(filename))


@lru_cache(maxsize=4)
def _favicon(path: str, mtime_ns: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    with Image.open(path) as im:
        im.convert("RGBA").save(out, "ICO", sizes=FAVICON_SIZES)
    return out.getvalue()


@bp.get("/favicon.ico")
def favicon():
    path = static_file("field/icons/icon-192.png")
    response = Response(_favicon(str(path), path.stat().st_mtime_ns), mimetype="image/vnd.microsoft.icon")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def compress_response(response: Response) -> Response:
    """Pages and JSON answers (not files sent as they are, not streams, not already encoded)."""
    if (response.status_code != 200 or response.direct_passthrough or response.is_streamed
            or "Content-Encoding" in response.headers or response.mimetype not in COMPRESSIBLE):
        return response
    response.vary.add("Accept-Encoding")
    encoding = accepted_encoding()
    data = response.get_data()
    if encoding and len(data) >= COMPRESS_FROM:
        response.set_data(compress(data, encoding, static=False))
        response.headers["Content-Encoding"] = encoding
        if response.get_etag()[0]:
            response.set_etag(f"{response.get_etag()[0]}-{encoding}", weak=True)
    return response


def add_file_version(endpoint, values):
    if endpoint == "static" and "filename" in values and "v" not in values:
        token = file_token(values["filename"])
        if token:
            values["v"] = token


@bp.record_once
def setup(state):
    app = state.app
    app.view_functions["static"] = plain_static
    app.url_defaults(add_file_version)
    app.after_request(compress_response)
