"""The display copy of a phone's JPEG or PNG that is upright and small enough: its compressed pixels as they came,
every metadata segment and whatever follows the image gone (imaging._lossless, _png_chunks); anything else is
decoded and re-encoded as before."""
import io

import pytest
from PIL import Image, PngImagePlugin

from webapp.stages.field import imaging

from .conftest import jpeg_with_exif, signature_png


def _markers(data: bytes) -> list[int]:
    """The markers of a JPEG's segments before its first scan."""
    found, at = [], 2
    while data[at + 1] != 0xDA:
        found.append(data[at + 1])
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    return found


def _pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        return im.convert("RGBA").tobytes()


def _with_comment_and_tail(data: bytes) -> bytes:
    """A COM segment and an APP13 after SOI, and an HTML page after EOI (a polyglot)."""
    com = b"\xff\xfe" + (len(b"secret note") + 2).to_bytes(2, "big") + b"secret note"
    app13 = b"\xff\xed" + (len(b"Photoshop 3.0\x00") + 2).to_bytes(2, "big") + b"Photoshop 3.0\x00"
    return data[:2] + com + app13 + data[2:] + b"<html><script>alert(1)</script></html>"


@pytest.mark.parametrize("progressive", [False, True])
def test_an_upright_jpeg_keeps_its_pixels_and_loses_its_metadata_and_tail(progressive):
    im = Image.effect_noise((1600, 1200), 30).convert("RGB")
    exif = Image.open(io.BytesIO(jpeg_with_exif(orientation=1))).getexif()
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85, exif=exif.tobytes(), progressive=progressive)
    raw = _with_comment_and_tail(out.getvalue())

    result = imaging.derive(raw)
    assert _pixels(result.data) == _pixels(raw)  # not re-encoded: no generation loss
    assert len(result.data) < len(raw)
    assert not {0xE1, 0xED, 0xFE} & set(_markers(result.data))  # EXIF, Photoshop, comment: gone
    assert result.data.endswith(b"\xff\xd9") and b"<html>" not in result.data and b"Xiaomi" not in result.data
    with Image.open(io.BytesIO(result.data)) as stored:
        assert not stored.getexif() and "exif" not in stored.info
    assert result.meta["exif"]["gps"] == {"lat": 38.8695833, "lng": 115.475}  # what the camera said: as data
    assert (result.width, result.height) == (1600, 1200)
    assert result.picture.size == (400, 300)  # the thumbnail's source, decoded at 1/4 (DCT scaling)


def test_a_jpeg_to_turn_or_to_shrink_is_still_decoded_and_re_encoded():
    turned = imaging.derive(jpeg_with_exif(size=(640, 480), orientation=6))
    assert (turned.width, turned.height) == (480, 640)
    out = io.BytesIO()
    Image.new("RGB", (2000, 1000), (10, 200, 30)).save(out, "JPEG")
    shrunk = imaging.derive(out.getvalue())
    assert (shrunk.width, shrunk.height) == (1600, 800) and shrunk.meta["scaled_to"] == {"width": 1600, "height": 800}
    cmyk = io.BytesIO()
    Image.new("CMYK", (64, 48), (0, 200, 200, 0)).save(cmyk, "JPEG")
    with Image.open(io.BytesIO(imaging.derive(cmyk.getvalue()).data)) as stored:
        assert stored.mode == "RGB"


def test_a_jpeg_whose_pixels_are_damaged_is_refused_by_the_copy_too():
    data = bytearray(jpeg_with_exif(size=(800, 600), orientation=1))
    scan = data.rfind(b"\xff\xda")
    data[scan + 20:-2] = b"\xff\xc8" * ((len(data) - 22 - scan) // 2)  # a reserved marker where pixels were
    with pytest.raises(imaging.ImageRejected):
        imaging.derive(bytes(data))
    cut = jpeg_with_exif(size=(800, 600), orientation=1)
    with pytest.raises(imaging.ImageRejected):
        imaging.derive(cut[:len(cut) // 2])


def test_a_signature_png_keeps_its_pixels_and_loses_its_text_chunks():
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "张三 13800000000")
    out = io.BytesIO()
    Image.open(io.BytesIO(signature_png())).save(out, "PNG", pnginfo=text)
    result = imaging.derive(out.getvalue())
    assert _pixels(result.data) == _pixels(signature_png())
    assert b"tEXt" not in result.data and b"iTXt" not in result.data and "13800000000".encode() not in result.data
    assert result.picture.mode == "RGBA" and result.picture.size == (600, 240)


def test_a_palette_png_is_re_encoded():
    out = io.BytesIO()
    Image.new("P", (40, 30), 3).save(out, "PNG", transparency=3)
    with Image.open(io.BytesIO(imaging.derive(out.getvalue()).data)) as stored:
        assert stored.mode == "RGBA"
