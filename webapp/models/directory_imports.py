"""Import batches: a file read and planned row by row (the dry run), kept server-side until it is committed."""
from ..extensions import db
from .base import utcnow


class ImportBatch(db.Model):
    """One uploaded spreadsheet. The preview is stored here, so the commit applies exactly what was shown and
    never trusts a file posted again."""

    __tablename__ = "import_batches"
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(16), nullable=False)  # entities | inspectors | conflicts
    status = db.Column(db.String(16), nullable=False, default="preview")  # mapping | preview | committed | discarded
    filename = db.Column(db.String(200), nullable=False, default="")
    file_sha256 = db.Column(db.String(64), nullable=False)  # the bytes, in storage()
    file_format = db.Column(db.String(8), nullable=False, default="")  # XLSX | CSV
    encoding = db.Column(db.String(16))
    headers = db.Column(db.JSON, nullable=False, default=list)
    mapping = db.Column(db.JSON, nullable=False, default=dict)  # header -> field ("" = ignore), the office's answer
    unknown_headers = db.Column(db.JSON, nullable=False, default=list)
    summary = db.Column(db.JSON, nullable=False, default=dict)  # counts per action, blank lines
    overrides = db.Column(db.JSON, nullable=False, default=list)  # USCCs accepted despite a failing checksum
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"))  # a department admin's scope
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    committed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    committed_at = db.Column(db.DateTime(timezone=True))

    created_by = db.relationship("User", foreign_keys=[created_by_id])
    department = db.relationship("Department")

    KIND_LABELS = {"entities": "检查对象名录", "inspectors": "执法人员名录", "conflicts": "回避关系"}
    STATUS_LABELS = {"mapping": "待对应表头", "preview": "预览（未导入）", "committed": "已导入", "discarded": "已放弃"}


class ImportRow(db.Model):
    """A planned row: what the commit will do with it, or why it is rejected, and the cells as written."""

    __tablename__ = "import_rows"
    id = db.Column(db.Integer, primary_key=True)
    batch_id = db.Column(db.Integer, db.ForeignKey("import_batches.id", ondelete="CASCADE"), nullable=False)
    line = db.Column(db.Integer, nullable=False)
    action = db.Column(db.String(16), nullable=False)  # create | update | unchanged | rejected
    key = db.Column(db.String(120))
    data = db.Column(db.JSON, nullable=False, default=dict)
    changes = db.Column(db.JSON, nullable=False, default=dict)
    reasons = db.Column(db.Text, nullable=False, default="")
    raw = db.Column(db.JSON, nullable=False, default=list)
    overridable = db.Column(db.Boolean, nullable=False, default=False)

    __table_args__ = (db.Index("ix_import_rows_batch_action_line", "batch_id", "action", "line"),)
