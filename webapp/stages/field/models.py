"""What the phones sent: one row per accepted record submission, so that a replay gets the same answer."""
from webapp.core.clock import utcnow
from webapp.core.extensions import db


class FieldSubmission(db.Model):
    """An accepted 一企一表 from a phone, keyed by the client UUID the phone made once for it.

    `body_digest` tells an identical replay (answered with `response` again) from different content under the
    same client id (409)."""

    __tablename__ = "field_submissions"
    id = db.Column(db.Integer, primary_key=True)
    client_uuid = db.Column(db.String(36), nullable=False, unique=True)
    record_id = db.Column(
        db.Integer, db.ForeignKey("inspection_records.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    body_digest = db.Column(db.String(64), nullable=False)
    findings_hash = db.Column(db.String(64), nullable=False)
    body = db.Column(db.JSON, nullable=False)  # as the phone sent it, refusal confirmations included
    response = db.Column(db.JSON, nullable=False)
    replays = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    record = db.relationship("InspectionRecord")
    user = db.relationship("User")
