"""The QR code printed on a 一企一表: it carries the stable public verification address /v/<record.token>."""
import base64
import io

import qrcode
from flask import current_app, has_request_context, request


def verification_url(record) -> str:
    """PUBLIC_BASE_URL when set (the address the public reaches), else the host of the current request."""
    base = current_app.config.get("PUBLIC_BASE_URL") or (request.host_url if has_request_context() else "")
    return f"{base.rstrip('/')}/v/{record.token}"


def png(data: str, box_size: int = 6) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(data)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()


def data_uri(png_bytes: bytes, mimetype: str = "image/png") -> str:
    return f"data:{mimetype};base64,{base64.b64encode(png_bytes).decode('ascii')}"
