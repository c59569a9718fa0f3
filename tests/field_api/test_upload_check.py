"""The upload's JPEG check is a walk of the file's structure (imaging._walks), not a decode: what a decode at
upload refused beyond a cut file, libjpeg does not refuse either (damaged scan data decodes, as grey or shifted
blocks). A file whose structure holds but whose tables cannot be decoded passes the upload and fails its job,
truthfully: 「无法处理」, never served (tests/field_api/test_derivatives.py runs the jobs the same way)."""
import io
import random

import pytest
from PIL import Image

from webapp.core import jobs
from webapp.core.extensions import db
from webapp.stages.field import derivatives, imaging
from webapp.stages.records.models import Media

from .conftest import jpeg_with_exif, sha
from .test_derivatives import _run, queued  # noqa: F401  (the fixture: jobs wait in Redis until run here)


def _noise_jpeg() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((800, 600), 30).convert("RGB").save(out, "JPEG", quality=85)
    return out.getvalue()


def test_damaged_scan_data_decodes_without_an_error_so_a_decode_at_upload_would_not_refuse_it():
    data = _noise_jpeg()
    scan, rng = data.rfind(b"\xff\xda") + 20, random.Random(7)
    for _ in range(20):
        damaged = bytearray(data)
        for _ in range(rng.choice((1, 10, 100))):
            at = rng.randrange(scan, len(damaged) - 2)
            damaged[at] = 0 if damaged[at - 1] == 0xFF else rng.randrange(0, 255)
        damaged = bytes(damaged)
        with Image.open(io.BytesIO(damaged)) as im:
            im.draft(im.mode, (100, 75))
            im.load()  # what the upload used to do: no error
        assert imaging.check(damaged).width == 800


@pytest.mark.parametrize("fraction", [0.001, 0.01, 0.05, 0.2, 0.5, 0.8, 0.99])
def test_a_jpeg_cut_anywhere_is_refused_at_upload(fraction):
    data = _noise_jpeg()
    with pytest.raises(imaging.ImageRejected) as caught:
        imaging.check(data[:max(3, int(len(data) * fraction))])
    assert caught.value.status in (413, 415)


def _bogus_huffman_table(data: bytes) -> bytes:
    """The first DHT's sixteen code counts made impossible (more codes than a table can hold), its length kept."""
    at = data.find(b"\xff\xc4")
    return data[:at + 5] + b"\xff" * 16 + data[at + 21:]


def test_a_jpeg_whose_tables_cannot_be_decoded_passes_the_upload_and_fails_its_job(app, phone, dispatched, queued):  # noqa: F811
    broken = _bogus_huffman_table(jpeg_with_exif(size=(640, 480), orientation=1))
    phone.login("jt01")
    answer = phone.upload(dispatched.record.id, broken)
    assert answer.status_code == 201, answer.get_json()
    job = _run(sha(broken))
    assert job.state == jobs.FAILED and "损坏" in job.error and job.attempts == 1  # not retried
    media = db.session.get(Media, answer.get_json()["media_id"])
    assert not media.ready and "损坏" in derivatives.failed(media)
    shown = phone.client.get(f"/media/{media.id}")
    assert "无法处理" in shown.get_data(as_text=True) and broken not in shown.data
    assert phone.upload(dispatched.record.id, broken).status_code == 200  # a replay: no new job
    assert db.session.scalar(db.select(db.func.count()).select_from(jobs.Job)) == 1


def test_even_a_clean_jpeg_is_served_as_a_new_file_never_as_it_came(app, phone, dispatched, queued):  # noqa: F811
    """What a phone's canvas makes (JFIF, tables, frame, one scan) holds nothing but what a decoder needs; its
    scans may still carry anything (here a script in the entropy-coded data, which libjpeg decodes as noise). The
    served copy is re-encoded from the pixels: not the raw bytes, nothing of the script, and only after its job."""
    plain = io.BytesIO()
    Image.effect_noise((640, 480), 30).convert("RGB").save(plain, "JPEG", quality=85)
    plain = bytearray(plain.getvalue())
    scan = plain.rfind(b"\xff\xda") + 40
    script = b"<script>alert(document.cookie)</script>"
    plain[scan:scan + len(script)] = script
    plain = bytes(plain)
    assert imaging.check(plain).width == 640  # the walk follows it: a structure like any photo's
    phone.login("jt01")
    media_id = phone.upload(dispatched.record.id, plain).get_json()["media_id"]
    assert "处理中" in phone.client.get(f"/media/{media_id}").get_data(as_text=True)
    assert _run(sha(plain)).state == jobs.DONE
    media = db.session.get(Media, media_id)
    assert media.ready and media.stored_sha != media.sha256
    served = phone.client.get(f"/media/{media_id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.data != plain and script not in served.data
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(served.data)) as copy:
        assert copy.size == (640, 480)
    with Image.open(io.BytesIO(phone.client.get(f"/media/{media_id}/thumb").data)) as thumb:
        assert thumb.size == (320, 240)
