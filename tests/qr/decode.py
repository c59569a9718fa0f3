"""Read QR codes back with a real decoder (zxing-cpp), from PNG bytes or a data: URL."""
import base64
import io

import zxingcpp
from PIL import Image


def decode_png(data: bytes) -> list[str]:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return [r.text for r in zxingcpp.read_barcodes(im) if r.format == zxingcpp.BarcodeFormat.QRCode]


def decode_data_url(url: str) -> list[str]:
    prefix = "data:image/png;base64,"
    assert url.startswith(prefix)
    return decode_png(base64.b64decode(url[len(prefix):]))
