"""The directories (一单两库): the object directory (检查对象名录库), the inspector roster (执法检查人员名录库), the
check-item library, declared conflicts of interest (回避), and import batches (a file read and planned row by row,
kept server-side until it is committed)."""
from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.core.tokens import new_token
from webapp.domain import eligibility
from webapp.stages.accounts.models import Department, User


class Entity(db.Model):
    __tablename__ = "entities"
    id = db.Column(db.Integer, primary_key=True)
    uscc = db.Column(db.String(18), nullable=False, unique=True)
    name = db.Column(db.String(200), nullable=False)
    legal_rep = db.Column(db.String(64))
    address = db.Column(db.String(300))
    registered_on = db.Column(db.Date)
    # Years whose annual report is filed, as "2021,2022": one column keeps imports and the 1M-row preview simple.
    annual_report_years = db.Column(db.String(200), nullable=False, default="")
    status = db.Column(db.String(32), nullable=False, default="")  # as the registry writes it, e.g. 合格
    risk_level = db.Column(db.String(16), nullable=False, index=True)  # domain.risk.LEVELS
    category = db.Column(db.String(64), nullable=False, default="", index=True)
    phone = db.Column(db.String(32))
    # A USCC that fails the GB 32100 checksum is stored only with a recorded override (see the audit trail).
    checksum_override = db.Column(db.Boolean, nullable=False, default=False)
    checkin_token = db.Column(db.String(32), nullable=False, unique=True, default=new_token)  # 扫码入企 poster
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    @property
    def report_years(self) -> frozenset[int]:
        return frozenset(int(y) for y in self.annual_report_years.split(",") if y.strip().isdigit())

    def facts(self) -> eligibility.EntityFacts:
        return eligibility.EntityFacts(
            uscc=self.uscc,
            registered_on=self.registered_on,
            annual_report_years=self.report_years,
            status=self.status,
            category=self.category,
            risk=self.risk_level,
        )


class CheckItem(db.Model):
    """An 抽查事项 of a department's library. Plans copy items into PlanItem, so edits never reach a plan."""

    __tablename__ = "check_items"
    id = db.Column(db.Integer, primary_key=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False, index=True)
    title = db.Column(db.String(200), nullable=False)
    # Allowed methods, codes of METHODS.
    methods = db.Column(db.JSON, nullable=False, default=list)
    legal_basis = db.Column(db.Text, nullable=False, default="")
    required_qualification = db.Column(db.String(64))
    version = db.Column(db.Integer, nullable=False, default=1)
    active = db.Column(db.Boolean, nullable=False, default=True)
    position = db.Column(db.Integer, nullable=False, default=0)

    department = db.relationship("Department")
    points = db.relationship(
        "CheckPoint", order_by="CheckPoint.position", cascade="all, delete-orphan", back_populates="item"
    )

    METHODS = {"document": "书面检查", "onsite": "实地核查", "online": "网络监测", "adopt": "采信其他部门或专业机构结论"}


class CheckPoint(db.Model):
    __tablename__ = "check_points"
    id = db.Column(db.Integer, primary_key=True)
    item_id = db.Column(db.Integer, db.ForeignKey("check_items.id", ondelete="CASCADE"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False, default=0)
    text = db.Column(db.String(300), nullable=False)

    item = db.relationship(CheckItem, back_populates="points")


class Conflict(db.Model):
    """A declared conflict of interest (回避) between an inspector and an entity; the inspector draw honours it."""

    __tablename__ = "conflicts"
    id = db.Column(db.Integer, primary_key=True)
    inspector_id = db.Column(db.Integer, db.ForeignKey("inspector_profiles.id"), nullable=False, index=True)
    entity_id = db.Column(db.Integer, db.ForeignKey("entities.id"), nullable=False, index=True)
    reason = db.Column(db.String(300), nullable=False)
    declared_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    declared_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    inspector = db.relationship("InspectorProfile")
    entity = db.relationship(Entity)

    __table_args__ = (db.UniqueConstraint("inspector_id", "entity_id", name="uq_conflicts_pair"),)


class InspectorProfile(db.Model):
    """An entry of the 执法检查人员名录库. May exist before its person has an account (roster import)."""

    __tablename__ = "inspector_profiles"
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), unique=True)
    name = db.Column(db.String(64), nullable=False)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False)
    certificate_no = db.Column(db.String(64), nullable=False, unique=True)  # 执法证号
    valid_from = db.Column(db.Date)
    valid_to = db.Column(db.Date)
    phone = db.Column(db.String(32))
    qualifications = db.Column(db.JSON, nullable=False, default=list)  # e.g. ["卫生监督"]
    is_expert = db.Column(db.Boolean, nullable=False, default=False)
    status = db.Column(db.String(16), nullable=False, default="active")  # active | on_leave

    user = db.relationship(User, back_populates="profile")
    department = db.relationship(Department)

    STATUS_LABELS = {"active": "在岗", "on_leave": "休假/离岗"}

    def valid_throughout(self, start, end) -> bool:
        return (self.valid_from is None or self.valid_from <= start) and (
            self.valid_to is not None and self.valid_to >= end
        )


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
