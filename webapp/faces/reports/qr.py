"""The QR code printed on a 一企一表: the QR area's image of the stable verification address /v/<record.token>."""
import base64

from webapp.core import qrcodes as images

BOX_PX = 6  # 33 mm on paper, at the print view's size


def verification_url(record) -> str:
    return images.record_url(record)


def png(data: str) -> bytes:
    return images.png(data, box_size=BOX_PX)


def data_uri(data: bytes, mimetype: str = "image/png") -> str:
    return f"data:{mimetype};base64,{base64.b64encode(data).decode('ascii')}"
