"""What is printed is what was signed (issue 10 §4): a teammate's photo that never made it into the signed
findings is not in the A4 document, the PDF annex or the review page, is not served to reviewers, and is pruned
(`spotcheck media prune`) after the grace period; the team still sees its own uploads before submission."""
import io
from datetime import timedelta

from sqlalchemy import func, select

from webapp.core import clock
from webapp.core.extensions import db
from webapp.core.storage import storage
from webapp.stages.records.media import thumbnail_key
from webapp.stages.records.models import InspectionRecord, Media

from .conftest import full_findings, jpeg_with_exif, sha, signature_png, submission


def _media_id(record_id, digest):
    return db.session.scalar(select(Media.id).where(Media.record_id == record_id, Media.sha256 == digest))


def _record_with_a_stray_photo(phone):
    """jt01 and jt02 on one record: jt02 uploads a photo that jt01's signed findings never name."""
    from tests.factories import dispatched_pair, world

    made = world()
    record = dispatched_pair(made.current).record
    signed_photos = [jpeg_with_exif(colour=(190, 40, 40)), jpeg_with_exif(colour=(40, 160, 40))]
    stray = jpeg_with_exif(colour=(20, 20, 200), size=(800, 600))

    phone.login("jt02")
    assert phone.upload(record.id, stray, filename="teammate.jpg").status_code == 201
    stray_id = _media_id(record.id, sha(stray))
    assert phone.client.get(f"/media/{stray_id}").status_code == 200  # the team sees its pending uploads
    phone.logout()
    phone.login("jt_review")
    assert phone.client.get(f"/media/{stray_id}").status_code == 404  # not a record's, not before submission
    phone.logout()

    phone.login("jt01")
    for photo in signed_photos:
        assert phone.upload(record.id, photo).status_code == 201
    signature = signature_png()
    assert phone.upload(record.id, signature, kind="signature", filename="signature.png").status_code == 201
    findings = full_findings(record, photos=[sha(p) for p in signed_photos])
    answer = phone.put(submission(record, findings=findings, signature=sha(signature)))
    assert answer.status_code == 201, answer.get_json()
    phone.logout()
    signed = [_media_id(record.id, sha(p)) for p in signed_photos] + [_media_id(record.id, sha(signature))]
    return db.session.get(InspectionRecord, record.id), signed, stray_id


def test_reviewers_and_the_documents_see_only_the_signed_media(app, phone):
    record, signed, stray_id = _record_with_a_stray_photo(phone)
    phone.login("jt_review")
    for media_id in signed:
        assert phone.client.get(f"/media/{media_id}").status_code == 200
        assert phone.client.get(f"/media/{media_id}/thumb").status_code == 200
    assert phone.client.get(f"/media/{stray_id}").status_code == 404
    assert phone.client.get(f"/media/{stray_id}/thumb").status_code == 404

    review = phone.client.get(f"/review/records/{record.id}").get_data(as_text=True)
    for media_id in signed:
        assert f"/media/{media_id}" in review
    assert f"/media/{stray_id}" not in review

    printed = phone.client.get(f"/reports/records/{record.id}/print").get_data(as_text=True)
    assert "附件：现场照片" in printed
    assert f"/media/{stray_id}/thumb" not in printed and f"/media/{stray_id}\"" not in printed
    annex = printed.split("附件：现场照片", 1)[1]
    assert annex.count("<figure>") == 2  # the two signed photos, not the teammate's third

    pdf = phone.client.get(f"/reports/records/{record.id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    from pypdf import PdfReader

    images = [im for page in PdfReader(io.BytesIO(pdf.data)).pages for im in page.images]
    # The QR code, the signature, and the two signed photos of the annex; never the stray photo.
    distinct = {im.name: im.image.size for im in images}  # pages share their image objects
    photos = [name for name in distinct if name.endswith(".jpg")]
    assert len(photos) == 2, distinct  # the QR code and the signature are PNG; only the two signed photos
    phone.logout()

    # The team does not get the stray photo back as the record's either once it is submitted.
    phone.login("jt02")
    assert phone.client.get(f"/media/{stray_id}").status_code == 404


def test_prune_deletes_unreferenced_media_after_the_grace_period(app, phone, runner):
    record, signed, stray_id = _record_with_a_stray_photo(phone)
    stray = db.session.get(Media, stray_id)
    stray_key, stray_sha = stray.storage_key, stray.sha256
    store = storage()
    assert store.exists(stray_key) and store.exists(thumbnail_key(stray_sha))

    result = runner.invoke(args=["media", "prune"])  # default 30 days: the record was submitted today
    assert result.exit_code == 0, result.output
    assert "0 张图片" in result.output
    assert db.session.get(Media, stray_id) is not None

    record.submitted_at = clock.utcnow() - timedelta(days=31)
    db.session.commit()
    result = runner.invoke(args=["media", "prune", "--older-than-days", "30", "--dry-run"])
    assert "试运行" in result.output and "1 张图片" in result.output
    assert db.session.get(Media, stray_id) is not None

    result = runner.invoke(args=["media", "prune", "--older-than-days", "30"])
    assert result.exit_code == 0, result.output
    assert "已删除 1 份记录中未被引用的 1 张图片" in result.output
    db.session.expire_all()
    assert db.session.get(Media, stray_id) is None
    assert not store.exists(stray_key) and not store.exists(thumbnail_key(stray_sha))
    for media_id in signed:  # the record itself is untouched
        media = db.session.get(Media, media_id)
        assert media is not None and store.exists(media.storage_key)
    assert db.session.scalar(select(func.count()).select_from(Media)) == len(signed)
    from webapp.core.audit import AuditEvent

    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "field.media_pruned"))
    # Printing still works and still shows the signed photos.
    phone.login("jt_review")
    assert phone.client.get(f"/reports/records/{record.id}/print").status_code == 200


def test_prune_never_touches_a_record_still_being_worked_on(app, phone, runner):
    from tests.factories import dispatched_pair, world

    record = dispatched_pair(world().current).record
    phone.login("jt02")
    photo = jpeg_with_exif()
    assert phone.upload(record.id, photo).status_code == 201
    media = db.session.scalar(select(Media).where(Media.record_id == record.id))
    media.uploaded_at = clock.utcnow() - timedelta(days=400)
    db.session.commit()
    result = runner.invoke(args=["media", "prune", "--older-than-days", "0"])
    assert result.exit_code == 0 and "0 张图片" in result.output
    assert db.session.scalar(select(func.count()).select_from(Media)) == 1
