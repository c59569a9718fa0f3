"""The 一企一表: one joint inspection record per drawn enterprise, its team, and its media.

The draw creates records (status `dispatched`); the field app fills them; review and publication move them on.
`findings` is the JSON the phone submits, signed as a whole through `findings_hash`:

    {"departments": [{"department_id": 1, "items": [{"plan_item_id": 7, "method": "onsite",
        "points": [{"text": "…", "result": "pass|fail|na", "note": "…", "photos": ["<sha256>"]}]}]}],
     "team": {"present": ["<certificate_no>", …], "uniform": true, "credentials_shown": true},
     "result_codes": ["no_problem"], "remarks": "…"}
"""
from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.core.tokens import new_token
from webapp.domain.status import LABELS, RecordStatus, label


class InspectionRecord(db.Model):
    __tablename__ = "inspection_records"
    id = db.Column(db.Integer, primary_key=True)
    token = db.Column(db.String(32), nullable=False, unique=True, default=new_token)  # /v/<token>
    plan_id = db.Column(db.Integer, db.ForeignKey("plans.id"), nullable=False, index=True)
    entity_id = db.Column(db.Integer, db.ForeignKey("entities.id"), nullable=False, index=True)
    status = db.Column(db.String(16), nullable=False, default=RecordStatus.DISPATCHED.value, index=True)
    understaffed = db.Column(db.Boolean, nullable=False, default=False)
    needs_expert = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    # Filled from the phone
    client_uuid = db.Column(db.String(36), unique=True)
    inspected_on = db.Column(db.Date)
    checked_in_at = db.Column(db.DateTime(timezone=True))
    checkin_lat = db.Column(db.Float)
    checkin_lng = db.Column(db.Float)
    checkin_accuracy = db.Column(db.Float)
    findings = db.Column(db.JSON)
    result_codes = db.Column(db.JSON, nullable=False, default=list)
    findings_hash = db.Column(db.String(64))
    signature_sha = db.Column(db.String(64))
    seal_sha = db.Column(db.String(64))
    refused = db.Column(db.Boolean, nullable=False, default=False)
    refusal_note = db.Column(db.Text)
    submitted_at = db.Column(db.DateTime(timezone=True))
    submitted_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    sync_due = db.Column(db.Date)
    due_provisional = db.Column(db.Boolean, nullable=False, default=False)
    late = db.Column(db.Boolean, nullable=False, default=False)
    published_at = db.Column(db.DateTime(timezone=True))

    plan = db.relationship("Plan")
    entity = db.relationship("Entity")
    members = db.relationship(
        "RecordMember", back_populates="record", cascade="all, delete-orphan", order_by="RecordMember.id"
    )
    media = db.relationship("Media", back_populates="record", cascade="all, delete-orphan")

    __table_args__ = (db.UniqueConstraint("plan_id", "entity_id", name="uq_inspection_records_plan_entity"),)

    STATUS_LABELS = LABELS  # the one definition: webapp.domain.status

    @property
    def status_label(self) -> str:
        return label(self.status)

    def member_for(self, user) -> "RecordMember | None":
        profile = getattr(user, "profile", None)
        if profile is None:
            return None
        return next((m for m in self.members if m.inspector_id == profile.id), None)


class RecordMember(db.Model):
    """An inspector on a record's team: drawn, or appointed as an expert (专业人员) with a reason."""

    __tablename__ = "record_members"
    id = db.Column(db.Integer, primary_key=True)
    record_id = db.Column(
        db.Integer, db.ForeignKey("inspection_records.id", ondelete="CASCADE"), nullable=False, index=True
    )
    inspector_id = db.Column(db.Integer, db.ForeignKey("inspector_profiles.id"), nullable=False, index=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False)
    kind = db.Column(db.String(16), nullable=False, default="drawn")  # drawn | expert
    is_leader = db.Column(db.Boolean, nullable=False, default=False)
    reason = db.Column(db.String(300))  # why an expert was appointed
    appointed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    record = db.relationship(InspectionRecord, back_populates="members")
    inspector = db.relationship("InspectorProfile")
    department = db.relationship("Department")

    __table_args__ = (db.UniqueConstraint("record_id", "inspector_id", name="uq_record_members_pair"),)


class Media(db.Model):
    """A photo, signature or seal image of a record, stored content-addressed by its SHA-256."""

    __tablename__ = "media"
    id = db.Column(db.Integer, primary_key=True)
    record_id = db.Column(
        db.Integer, db.ForeignKey("inspection_records.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sha256 = db.Column(db.String(64), nullable=False, index=True)  # of the bytes the phone sent
    stored_sha = db.Column(db.String(64))  # storage key: SHA-256 of the re-encoded, EXIF-free file (0004_field)
    kind = db.Column(db.String(16), nullable=False)  # photo | signature | seal | evidence
    content_type = db.Column(db.String(32), nullable=False)
    size = db.Column(db.Integer, nullable=False)
    width = db.Column(db.Integer)
    height = db.Column(db.Integer)
    captured_at = db.Column(db.DateTime(timezone=True))
    meta = db.Column(db.JSON, nullable=False, default=dict)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    uploaded_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    record = db.relationship(InspectionRecord, back_populates="media")

    __table_args__ = (db.UniqueConstraint("record_id", "sha256", name="uq_media_record_sha"),)

    @property
    def storage_key(self) -> str:
        """Where the bytes are: the server re-encodes uploads, so not the phone's hash once stored_sha is set."""
        return self.stored_sha or self.sha256
