"""Derivatives as jobs (issue 17 §4): the upload request verifies and stores the phone's raw bytes; the display
copy and thumbnail are made by the `field.imaging` job. Here the jobs go to a real Redis broker that no worker
reads, so they stay queued and the test runs each one itself (`jobs.run`, what a worker does): the waiting state
is seen for real, and the raw bytes are never served."""
import io
import struct
import zlib

from PIL import Image
from sqlalchemy import func, select

from tests.conftest import waiting_jobs
from webapp.core import jobs
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.stages.field import derivatives
from webapp.stages.records.media import make_thumbnail, thumbnail_key
from webapp.stages.records.models import Media

from .conftest import full_findings, jpeg_with_exif, sha, signature_png, submission

queued = waiting_jobs(12)  # jobs wait in Redis (no worker) until the test runs them


def _job(digest):
    """The job of the first row with these bytes (each row has one: `derivatives.job_key`)."""
    first = db.session.scalar(select(Media).where(Media.sha256 == digest).order_by(Media.id).limit(1))
    return db.session.scalar(select(jobs.Job).where(jobs.Job.key == derivatives.job_key(first)))


def _run(digest):
    job = jobs.run(_job(digest).id)
    db.session.expire_all()
    return job


def test_the_upload_stores_the_raw_bytes_and_the_job_makes_what_is_served(app, phone, dispatched, queued):
    phone.login("jt01")
    photo = jpeg_with_exif(size=(640, 480), orientation=6)
    answer = phone.upload(dispatched.record.id, photo)
    assert answer.status_code == 201, answer.get_json()
    media = db.session.get(Media, answer.get_json()["media_id"])
    assert not media.ready and media.stored_sha is None and media.storage_key is None
    assert storage().read(sha(photo)) == photo  # the raw upload is kept ...
    assert not storage().exists(thumbnail_key(media.sha256))
    for url in (f"/media/{media.id}", f"/media/{media.id}/thumb"):  # ... and never served: 「处理中」 instead
        waiting = phone.client.get(url)
        assert waiting.status_code == 200 and waiting.mimetype == "image/svg+xml"
        assert "处理中" in waiting.get_data(as_text=True) and waiting.headers["Cache-Control"] == "no-store"
        assert photo not in waiting.data
    assert _job(media.sha256).state == jobs.QUEUED
    assert phone.upload(dispatched.record.id, photo).status_code == 200  # a replay: the same job, no other
    assert db.session.scalar(select(func.count()).select_from(jobs.Job)) == 1

    assert _run(media.sha256).state == jobs.DONE
    media = db.session.get(Media, media.id)
    assert media.ready and media.stored_sha != media.sha256
    stored = storage().read(media.storage_key)
    assert sha(stored) == media.stored_sha and b"Xiaomi" not in stored
    assert (media.width, media.height, media.size) == (480, 640, len(stored))  # upright, its own size
    served = phone.client.get(f"/media/{media.id}")
    assert served.status_code == 200 and served.data == stored
    thumb = phone.client.get(f"/media/{media.id}/thumb")
    with Image.open(io.BytesIO(thumb.data)) as im:
        assert thumb.mimetype == "image/jpeg" and im.size == (240, 320)

    # Idempotent: a second run (a redelivered message) changes nothing.
    before = (media.stored_sha, media.size, sorted(storage().keys()))
    assert derivatives.derive(media.sha256) == {"media": 0}
    db.session.expire_all()
    assert (db.session.get(Media, media.id).stored_sha, media.size, sorted(storage().keys())) == before


def test_the_same_bytes_on_another_record_share_the_derivative_at_once(app, phone, dispatched, queued):
    from webapp.stages.accounts.models import User
    from webapp.stages.records.models import RecordMember

    photo = jpeg_with_exif(colour=(30, 90, 200))
    phone.login("jt01")
    first = db.session.get(Media, phone.upload(dispatched.record.id, photo).get_json()["media_id"])
    _run(first.sha256)
    phone.logout()
    other = dispatched.other
    profile = db.session.scalar(select(User).where(User.username == "jt01")).profile
    other.members.append(RecordMember(inspector=profile, department_id=profile.department_id))
    db.session.commit()
    phone.login("jt01")
    second = db.session.get(Media, phone.upload(other.id, photo).get_json()["media_id"])
    assert second.ready and second.stored_sha == db.session.get(Media, first.id).stored_sha


def test_each_waiting_row_has_a_job_and_the_first_to_run_serves_its_twins(app, phone, dispatched, queued):
    """Two records given the same bytes before any job ran: a job each, enqueued with the row (one queued already
    could start before a later row is committed, and miss it). The first job serves both; the other does nothing."""
    from webapp.stages.accounts.models import User
    from webapp.stages.records.models import RecordMember

    photo = jpeg_with_exif(colour=(200, 200, 30))
    other = dispatched.other
    profile = db.session.scalar(select(User).where(User.username == "jt01")).profile
    other.members.append(RecordMember(inspector=profile, department_id=profile.department_id))
    db.session.commit()
    phone.login("jt01")
    rows = [db.session.get(Media, phone.upload(r.id, photo).get_json()["media_id"]) for r in (dispatched.record, other)]
    own = [db.session.scalar(select(jobs.Job).where(jobs.Job.key == derivatives.job_key(m))) for m in rows]
    assert [j.state for j in own] == [jobs.QUEUED, jobs.QUEUED]
    assert jobs.run(own[1].id).result["media"] == 2
    assert jobs.run(own[0].id).result == {"media": 0}
    db.session.expire_all()
    assert all(db.session.get(Media, m.id).ready for m in rows)


def _png_with_broken_pixels() -> bytes:
    """A PNG whose chunks all carry correct CRCs (so `verify` passes) but whose compressed pixels are garbage."""
    good = signature_png()
    width, height = struct.unpack(">II", good[16:24])
    garbage = zlib.compress(b"\x00" * 10)[:2] + b"\x13\x37" * 400
    idat = b"IDAT" + garbage
    ihdr = good[8:33]
    iend = b"\x00\x00\x00\x00IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return (good[:8] + ihdr + struct.pack(">I", len(garbage)) + idat + struct.pack(">I", zlib.crc32(idat)) + iend)


def test_an_upload_the_job_cannot_decode_fails_in_chinese_and_is_never_served(app, phone, dispatched, queued):
    broken = _png_with_broken_pixels()
    phone.login("jt01")
    answer = phone.upload(dispatched.record.id, broken, kind="signature", filename="signature.png")
    assert answer.status_code == 201, answer.get_json()  # the cheap check passes: the CRCs are right
    media_id = answer.get_json()["media_id"]
    job = _run(sha(broken))
    assert job.state == jobs.FAILED and "损坏" in job.error and job.attempts == 1  # not retried
    media = db.session.get(Media, media_id)
    assert not media.ready and derivatives.failed(media)
    shown = phone.client.get(f"/media/{media_id}")
    assert "无法处理" in shown.get_data(as_text=True) and broken not in shown.data


def test_the_print_and_the_pdf_make_a_missing_derivative_inline(app, phone, dispatched, queued):
    record = dispatched.record
    photo, signature = jpeg_with_exif(size=(800, 600), orientation=1), signature_png()
    phone.login("jt01")
    assert phone.upload(record.id, photo).status_code == 201
    assert phone.upload(record.id, signature, kind="signature", filename="signature.png").status_code == 201
    findings = full_findings(record, photos=[sha(photo)])
    assert phone.put(submission(record, findings=findings, signature=sha(signature))).status_code == 201
    phone.logout()
    waiting = db.session.scalar(select(func.count()).select_from(Media).where(Media.ready.is_(False)))
    assert waiting == 2

    phone.login("jt_review")
    pdf = phone.client.get(f"/reports/records/{record.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    from pypdf import PdfReader

    names = {im.name for page in PdfReader(io.BytesIO(pdf.data)).pages for im in page.images}
    assert any(name.endswith(".jpg") for name in names), names  # the photo, made for the PDF
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Media).where(Media.ready.is_(False))) == 0
    for digest in (sha(photo), sha(signature)):  # the queued jobs find nothing left to do
        assert _run(digest).result == {"media": 0}


def test_the_thumbnail_decodes_a_jpeg_at_a_reduced_scale(decodes):
    out = io.BytesIO()
    Image.effect_noise((1600, 1200), 40).convert("RGB").save(out, "JPEG", quality=85)
    with Image.open(io.BytesIO(make_thumbnail(out.getvalue()))) as thumb:
        assert thumb.size == (320, 240)
    assert decodes[0] == (400, 300)  # DCT scaling at 1/4: 1/16 of the pixels decoded


def test_a_thumbnail_is_320_px_and_leaves_the_picture_it_was_made_of_as_it_was():
    from webapp.stages.records.media import thumbnail_of

    large, small, palette = Image.new("RGB", (1600, 1200), "navy"), Image.new("RGB", (500, 400), "red"), \
        Image.new("P", (640, 480), 3)
    pixels = small.tobytes()
    assert [Image.open(io.BytesIO(thumbnail_of(im))).size for im in (large, small, palette)] == \
        [(320, 240), (320, 256), (320, 240)]
    assert small.size == (500, 400) and small.tobytes() == pixels  # thumbnail() shrinks in place: a copy of it
    assert large.size == (1600, 1200) and palette.mode == "P"
