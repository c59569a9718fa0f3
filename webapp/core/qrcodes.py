"""QR images (qrcode, PIL factory, PNG) and the public URLs they carry.

Printed codes outlive releases, so every URL is built from the stable addresses only: /v/<token>,
/credential/<token>, /checkin/<token>. The base is PUBLIC_BASE_URL when set (the address the public reaches,
behind any proxy), else the host of the current request.
"""
import base64
import io

import qrcode
from flask import current_app, has_request_context, make_response, request
from qrcode.image.pil import PilImage

BOX_PX = 8  # pixels per module: sharp on paper and on a phone screen


def base_url() -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    if not base and has_request_context():
        base = request.host_url
    return base.rstrip("/")


def record_url(record) -> str:
    return f"{base_url()}/v/{record.token}"


def credential_url(credential) -> str:
    return f"{base_url()}/credential/{credential.token}"


def checkin_url(entity) -> str:
    return f"{base_url()}/checkin/{entity.checkin_token}"


def png(data: str, box_size: int = BOX_PX) -> bytes:
    """The QR code of `data` as PNG bytes (error correction M: survives a crease or a smudge)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(data)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(image_factory=PilImage).save(out, format="PNG")
    return out.getvalue()


def data_url(data: str, box_size: int = BOX_PX) -> str:
    """The QR code as a data: URL, for pages that must work offline or print without further requests."""
    return "data:image/png;base64," + base64.b64encode(png(data, box_size)).decode("ascii")


def record_qr_data_url(record) -> str:
    """For the 一企一表 print view: the code that verifies the record."""
    return data_url(record_url(record))


def png_response(data: bytes, filename: str):
    response = make_response(data)
    response.headers["Content-Type"] = "image/png"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response

