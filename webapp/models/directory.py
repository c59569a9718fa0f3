"""The object directory (检查对象名录库), the check-item library, and declared conflicts of interest (回避)."""
from ..domain import eligibility
from ..extensions import db
from .base import new_token, utcnow


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
