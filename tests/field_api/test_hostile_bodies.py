"""Uploads and bodies that break things (issue 10 §5), sent as an attacker would: through the phone's API with
its session and CSRF token, with real files made by Pillow. Every refusal is a Chinese 4xx (never a 500 the phone
would retry for ever) and leaves nothing behind: no row, no file in storage."""
import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.stages.records.models import InspectionRecord, Media

from .conftest import jpeg_with_exif, sha, signature_png, submission

OUT_OF_RANGE = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+08:00", "0001-01-01T00:00:00", "2999-01-01T00:00:00Z"]


def png(im: Image.Image) -> bytes:
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width×height pixels."""
    data = bytearray(png(Image.new("L", (8, 8), 255)))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4:ihdr + 12] = struct.pack(">II", width, height)
    data[ihdr + 17:ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(data[ihdr:ihdr + 17])))
    return bytes(data)


def stored_files() -> set[str]:
    return set(storage().keys())


def media_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Media))


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
def test_an_out_of_range_captured_at_is_a_422_and_writes_nothing(phone, dispatched, moment):
    phone.login("jt01")
    photo = jpeg_with_exif()
    answer = phone.upload(dispatched.record.id, photo, captured_at=moment)
    assert answer.status_code == 422, answer.get_data(as_text=True)
    body = answer.get_json()
    assert "拍摄时间" in body["error"] and body["sha256"] == sha(photo)
    assert media_count() == 0 and stored_files() == set()
    # The same photo with a sane time goes in.
    assert phone.upload(dispatched.record.id, photo, captured_at="2026-11-20T10:11:12+08:00").status_code == 201


def test_a_malformed_captured_at_is_a_422(phone, dispatched):
    phone.login("jt01")
    answer = phone.upload(dispatched.record.id, jpeg_with_exif(), captured_at="昨天下午")
    assert answer.status_code == 422 and "拍摄时间" in answer.get_json()["error"]
    assert media_count() == 0 and stored_files() == set()


def test_a_camera_clock_out_of_range_is_kept_as_text_not_a_500(phone, dispatched):
    im = Image.new("RGB", (64, 48), (120, 10, 10))
    exif = Image.Exif()
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: "0001:01:01 00:00:00"}
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif.tobytes())
    phone.login("jt01")
    assert phone.upload(dispatched.record.id, out.getvalue()).status_code == 201
    media = db.session.scalar(select(Media))
    assert media.captured_at is None and media.meta["exif"]["datetime_original"] == "0001:01:01 00:00:00"


@pytest.mark.parametrize("field,value,words", [
    ("checked_in_at", "9999-12-31T23:59:59-12:00", "扫码入企时间"),
    ("checked_in_at", "0001-01-01T00:00:00+08:00", "扫码入企时间"),
    ("checked_in_at", 20261120, "扫码入企时间"),
    ("inspected_on", "9999-12-31", "检查日期"),
    ("inspected_on", "0001-01-01", "检查日期"),
    ("inspected_on", "2026-02-30", "检查日期"),
])
def test_out_of_range_dates_and_times_in_the_record_are_422(phone, dispatched, field, value, words):
    phone.login("jt01")
    record = dispatched.record
    signature = signature_png()
    assert phone.upload(record.id, signature, kind="signature").status_code == 201
    body = submission(record, signature=sha(signature))
    body[field] = value
    answer = phone.put(body)
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert any(words in e for e in answer.get_json()["errors"])
    db.session.expire_all()
    assert db.session.get(InspectionRecord, record.id).status == "dispatched"
    body = submission(record, signature=sha(signature))  # and the record as the phone really sends it is taken
    assert phone.put(body).status_code == 201


def test_a_16_bit_greyscale_png_is_converted_not_clipped_white(phone, dispatched):
    width = 512
    ramp = b"".join(struct.pack("<H", round(x * 65535 / (width - 1))) for x in range(width)) * 64
    im = Image.frombytes("I;16", (width, 64), ramp)
    data = png(im)
    with Image.open(io.BytesIO(data)) as check:
        assert check.mode == "I;16"  # really a 16-bit greyscale file
    phone.login("jt01")
    answer = phone.upload(dispatched.record.id, data, filename="scan16.png")
    assert answer.status_code == 201, answer.get_json()
    media = db.session.scalar(select(Media))
    with Image.open(io.BytesIO(storage().read(media.storage_key))) as stored:
        assert stored.mode == "L"
        values = [stored.getpixel((x, 10)) for x in (0, 128, 256, 384, 511)]
    assert values[0] == 0 and values[-1] == 255
    assert values == sorted(values) and 120 <= values[2] <= 135  # mid-grey stays mid-grey (clipping gave 255)


def test_an_8000_by_5000_png_is_refused_from_its_header_without_decoding(phone, dispatched, decodes):
    im = Image.new("RGB", (8000, 5000), (250, 250, 250))
    data = png(im)
    assert len(data) < 1_000_000  # small on the wire: the cost is in decoding
    phone.login("jt01")
    answer = phone.upload(dispatched.record.id, data)
    assert answer.status_code == 413
    assert "8000×5000" in answer.get_json()["error"] and "像素过多" in answer.get_json()["error"]
    assert decodes == []  # decoding it took 1.7 s
    assert media_count() == 0 and stored_files() == set()


@pytest.mark.parametrize("size", [(100_000, 100_000), (60_000, 1_000), (1, 70_000_000)])
def test_a_huge_dimension_header_is_refused_before_decoding(phone, dispatched, size, decodes):
    phone.login("jt01")
    answer = phone.upload(dispatched.record.id, png_declaring(*size))
    assert answer.status_code == 413, answer.get_json()
    assert decodes == []
    assert media_count() == 0 and stored_files() == set()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_picture_larger_than_the_phone_sends_is_scaled_down_to_1600_px(phone, dispatched, fmt):
    im = Image.new("RGB", (3200, 2400), (30, 120, 200))
    out = io.BytesIO()
    im.save(out, fmt)
    phone.login("jt01")
    answer = phone.upload(dispatched.record.id, out.getvalue())
    assert answer.status_code == 201
    media = db.session.scalar(select(Media))
    assert (media.width, media.height) == (1600, 1200)
    assert media.meta["original"]["width"] == 3200 and media.meta["scaled_to"] == {"width": 1600, "height": 1200}
    with Image.open(io.BytesIO(storage().read(media.storage_key))) as stored:
        assert stored.size == (1600, 1200)


@pytest.mark.parametrize("sent,kept", [
    ("../../../etc/passwd.jpg", "passwd.jpg"),
    ("..\\..\\windows\\system32\\photo.jpg", "photo.jpg"),
    ("photo\x00.php.jpg", "photo.php.jpg"),
    ("\u202egpj.exe", "gpj.exe"),
    ("a\x1b[31mred\x07.jpg", "a[31mred.jpg"),
    ("..", ""),
])
def test_filenames_are_kept_as_a_clean_base_name_only(phone, dispatched, sent, kept):
    phone.login("jt01")
    answer = phone.upload(dispatched.record.id, jpeg_with_exif(), filename=sent)
    assert answer.status_code == 201
    assert db.session.scalar(select(Media)).meta["original"]["filename"] == kept


def test_a_failure_after_the_files_were_written_leaves_no_file_without_a_row(phone, dispatched, monkeypatch):
    from types import SimpleNamespace

    from webapp.stages.field import uploads

    def broken(*args, **kwargs):
        raise OSError("disk full")

    # The raw bytes are written, then the request fails before its commit (the derivatives are a job's now).
    monkeypatch.setattr(uploads, "audit", SimpleNamespace(record=broken))
    phone.login("jt01")
    phone.client.application.config["PROPAGATE_EXCEPTIONS"] = False
    answer = phone.upload(dispatched.record.id, jpeg_with_exif())
    assert answer.status_code == 500
    assert media_count() == 0 and stored_files() == set()  # the raw photo written first is gone again
