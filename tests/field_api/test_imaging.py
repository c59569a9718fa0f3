"""Only real images, bounded, upright and EXIF-free once stored; the camera's facts kept as data."""
import io
import struct
import zlib

import pytest
from PIL import Image

from webapp.stages.field import imaging

from .conftest import jpeg_with_exif, signature_png


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header declares width×height pixels: a decompression bomb's calling card."""
    out = io.BytesIO()
    Image.new("L", (8, 8), 255).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4:ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr:ihdr + 17]))
    data[ihdr + 17:ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def test_exif_is_applied_then_stripped_and_kept_as_data():
    original = jpeg_with_exif(size=(640, 480), orientation=6)
    assert b"Exif" in original
    result = imaging.process(original)
    assert result.content_type == "image/jpeg"
    assert (result.width, result.height) == (480, 640)  # turned upright, as the camera meant it
    assert b"Exif" not in result.data and b"GPS" not in result.data
    with Image.open(io.BytesIO(result.data)) as stored:
        assert stored.size == (480, 640)
        assert not stored.getexif()
        assert "exif" not in stored.info
    assert result.meta["exif"]["gps"] == {"lat": 38.8695833, "lng": 115.475}
    assert result.meta["exif"]["make"] == "Xiaomi"
    assert result.meta["original"] == {"format": "JPEG", "bytes": len(original), "width": 640, "height": 480}
    assert result.taken_at.isoformat() == "2026-11-20T10:11:12+08:00"


def test_a_signature_png_keeps_its_transparency():
    result = imaging.process(signature_png())
    assert result.content_type == "image/png"
    with Image.open(io.BytesIO(result.data)) as stored:
        assert stored.mode == "RGBA" and stored.getpixel((0, 0))[3] == 0


def test_a_text_file_named_jpg_is_refused_in_chinese():
    with pytest.raises(imaging.ImageRejected) as caught:
        imaging.process("这不是图片，是一段文字。\n".encode() * 20)
    assert caught.value.status == 415
    assert caught.value.message == "上传的文件不是 JPEG 或 PNG 图片，已拒收。"


def test_other_image_formats_are_refused():
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, "GIF")
    with pytest.raises(imaging.ImageRejected) as caught:
        imaging.process(out.getvalue())
    assert caught.value.status == 415


def test_a_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(imaging.ImageRejected) as caught:
        imaging.process(png_declaring(20000, 20000))
    assert caught.value.status == 413
    assert "像素过多" in caught.value.message


def test_pixels_above_our_own_limit_are_refused_below_pillows():
    with pytest.raises(imaging.ImageRejected) as caught:
        imaging.process(png_declaring(7000, 7000))  # 49 MP: Pillow would decode it, we do not
    assert caught.value.status == 413
    assert "7000×7000" in caught.value.message


def test_a_truncated_jpeg_is_refused():
    data = jpeg_with_exif(size=(800, 600))
    with pytest.raises(imaging.ImageRejected) as caught:
        imaging.process(data[: len(data) // 2])
    assert caught.value.status == 415


def test_too_many_bytes_are_refused():
    with pytest.raises(imaging.ImageRejected) as caught:
        imaging.process(jpeg_with_exif(), max_bytes=1000)
    assert caught.value.status == 413


def test_png_metadata_chunks_are_dropped():
    from PIL import ExifTags, PngImagePlugin

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Huawei"
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "inspector phone 13800000000")
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 200, 10)).save(out, "PNG", exif=exif.tobytes(), pnginfo=text)
    assert b"eXIf" in out.getvalue() and b"13800000000" in out.getvalue()
    result = imaging.process(out.getvalue())
    assert b"eXIf" not in result.data and b"tEXt" not in result.data and b"13800000000" not in result.data
    assert result.meta["exif"]["make"] == "Huawei"


def test_a_truncated_jpeg_is_refused_after_weasyprint_was_imported():
    """WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process when it is imported."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as weasyprint's first import leaves it
    data = jpeg_with_exif(size=(800, 600))
    with pytest.raises(imaging.ImageRejected):
        imaging.check(data[: len(data) // 2])


@pytest.mark.parametrize("cut", [1, 2, 10, 100])
def test_a_jpeg_cut_anywhere_near_its_end_is_refused_by_the_upload_check(cut):
    """The upload check walks the segments to the EOI marker; a file missing only that marker is refused as well."""
    data = jpeg_with_exif(size=(800, 600))
    assert imaging.check(data).width == 800
    with pytest.raises(imaging.ImageRejected) as caught:
        imaging.check(data[:-cut])
    assert caught.value.status == 415


def test_a_progressive_jpeg_passes_the_upload_check_and_a_cut_one_does_not():
    out = io.BytesIO()
    Image.linear_gradient("L").resize((640, 480)).convert("RGB").save(out, "JPEG", progressive=True)
    data = out.getvalue()
    assert imaging.check(data).height == 480
    with pytest.raises(imaging.ImageRejected):
        imaging.check(data[: len(data) - 50])


def _png_of(chunks) -> bytes:
    import zlib

    return b"\x89PNG\r\n\x1a\n" + b"".join(
        len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big") for kind, data in chunks)


def test_the_upload_check_reads_a_png_s_exif_behind_its_pixels_without_decoding_them():
    """Pillow's getexif() decodes a whole PNG to look for an eXIf chunk after the pixel data; the upload check walks
    the chunks instead. Its pixel data here is not deflate at all (its CRC is right): the check passes, reading the
    camera's make from behind it, and only the job, which decodes, refuses the file."""
    from PIL import ExifTags

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Huawei"
    header = (640).to_bytes(4, "big") + (480).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])  # 8-bit RGB
    data = _png_of([(b"IHDR", header), (b"IDAT", b"not deflate data " * 64), (b"eXIf", exif.tobytes()),
                    (b"IEND", b"")])

    checked = imaging.check(data)
    assert (checked.content_type, checked.width, checked.height) == ("image/png", 640, 480)
    assert checked.meta["exif"]["make"] == "Huawei"
    with pytest.raises(imaging.ImageRejected) as caught:
        imaging.derive(data)
    assert caught.value.status == 415


def test_a_png_whose_exif_chunk_is_not_exif_passes_the_upload_check_without_metadata():
    import zlib

    header = (2).to_bytes(4, "big") + (2).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])  # 2×2, 8-bit RGB
    pixels = zlib.compress(b"".join(b"\x00" + bytes(6) for _ in range(2)))  # each row: filter 0, two black pixels
    checked = imaging.check(_png_of([(b"IHDR", header), (b"IDAT", pixels), (b"eXIf", b"MM\x00*garbage"),
                                     (b"IEND", b"")]))
    assert checked.content_type == "image/png" and "exif" not in checked.meta
