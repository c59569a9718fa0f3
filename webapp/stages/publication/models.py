"""一公开 and after: inspectors' credential tokens (亮证) and follow-up tasks (后续监管).

Publication itself needs no table: a record's status becomes "published" with `published_at`, and the audit
trail says who published it.
"""
from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.core.tokens import new_token


class InspectorCredential(db.Model):
    """The token behind an inspector's credential QR (/credential/<token>). Revoked tokens stay, marked."""

    __tablename__ = "inspector_credentials"
    id = db.Column(db.Integer, primary_key=True)
    inspector_id = db.Column(db.Integer, db.ForeignKey("inspector_profiles.id"), nullable=False, index=True)
    token = db.Column(db.String(32), nullable=False, unique=True, default=new_token)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    revoked_at = db.Column(db.DateTime(timezone=True))
    revoked_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    inspector = db.relationship("InspectorProfile")
    revoked_by = db.relationship("User")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class CredentialCheck(db.Model):
    """One assignment check on a public credential page ("is this inspector assigned to us?").

    Kept to limit how many enterprises one could try against a credential: the draw's assignments must not be
    learnt ahead of an unannounced inspection by guessing USCCs."""

    __tablename__ = "credential_checks"
    id = db.Column(db.Integer, primary_key=True)
    credential_id = db.Column(db.Integer, db.ForeignKey("inspector_credentials.id", ondelete="CASCADE"),
                              nullable=False, index=True)
    ip = db.Column(db.String(64), nullable=False, index=True)
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class PublicationWithdrawal(db.Model):
    """撤回公示: the office took a published result back (wrongly published, or found wrong), with a reason that
    the record's public verification page shows. The record returns to review; the withdrawals stay."""

    __tablename__ = "publication_withdrawals"
    id = db.Column(db.Integer, primary_key=True)
    record_id = db.Column(db.Integer, db.ForeignKey("inspection_records.id", ondelete="CASCADE"), nullable=False,
                          index=True)
    reason = db.Column(db.Text, nullable=False)
    published_at = db.Column(db.DateTime(timezone=True))  # when the withdrawn publication had been made
    by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    by = db.relationship("User")


class FollowUpTask(db.Model):
    """后续监管: a problem left for later (发现问题待后续处理), owned by the department with jurisdiction."""

    __tablename__ = "follow_up_tasks"
    id = db.Column(db.Integer, primary_key=True)
    record_id = db.Column(
        db.Integer, db.ForeignKey("inspection_records.id", ondelete="CASCADE"), nullable=False, index=True
    )
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False, index=True)
    reason = db.Column(db.String(300), nullable=False, default="")  # why this department: the rule applied
    opened_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    deadline = db.Column(db.Date, nullable=False)
    deadline_provisional = db.Column(db.Boolean, nullable=False, default=False)
    status = db.Column(db.String(16), nullable=False, default="open", index=True)  # open | closed
    evidence = db.Column(db.Text)
    evidence_media_id = db.Column(db.Integer, db.ForeignKey("media.id"))
    closed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    closed_at = db.Column(db.DateTime(timezone=True))

    record = db.relationship("InspectionRecord")
    department = db.relationship("Department")
    evidence_media = db.relationship("Media")
    closed_by = db.relationship("User")

    __table_args__ = (db.UniqueConstraint("record_id", "department_id", name="uq_follow_up_tasks_pair"),)

    STATUS_LABELS = {"open": "办理中", "closed": "已办结"}
