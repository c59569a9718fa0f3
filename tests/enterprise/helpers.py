"""Builders for the enterprise side: a published record with an open follow-up, files as phones make them."""
import io

from PIL import Image
from sqlalchemy import select

from tests.factories import approved_record, current_plan, directory_entities
from webapp.core.extensions import db
from webapp.stages.publication import publishing
from webapp.stages.publication.models import FollowUpTask

CONTACT = "13711112222 举报人王某"


def published_with_follow_up(index=0):
    """A published record whose 卫健局 part failed (待后续处理): (record, its follow-up task)."""
    record = approved_record(current_plan(), directory_entities(1, index)[0], codes=["follow_up"], failed=["weijian"])
    publishing.publish([record])
    db.session.commit()
    task = db.session.scalar(select(FollowUpTask).where(FollowUpTask.record_id == record.id))
    return record, task


def jpeg_with_gps() -> bytes:
    im = Image.new("RGB", (320, 240), (30, 120, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif)
    return out.getvalue()


def pdf(extra: bytes = b"") -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R " + extra + b">> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
