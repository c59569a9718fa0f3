"""Plans (抽查工作方案): window, departments and their items, eligibility rules, ratios, floor, team sizes."""
from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.domain import eligibility, risk


class Plan(db.Model):
    __tablename__ = "plans"
    id = db.Column(db.Integer, primary_key=True)
    doc_number = db.Column(db.String(64), nullable=False)  # 保莲双随机办[2023]10号
    title = db.Column(db.String(200), nullable=False)
    issuer = db.Column(db.String(200), nullable=False)
    issued_on = db.Column(db.Date)
    based_on = db.Column(db.String(200), nullable=False, default="")
    contact_name = db.Column(db.String(32), nullable=False, default="")
    contact_phone = db.Column(db.String(32), nullable=False, default="")
    window_start = db.Column(db.Date, nullable=False)
    window_end = db.Column(db.Date, nullable=False)
    lead_department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False)

    # Eligibility rules
    category = db.Column(db.String(64))
    registered_before = db.Column(db.Date)
    annual_report_year = db.Column(db.Integer)
    statuses = db.Column(db.JSON, nullable=False, default=list)

    # Sampling, in whole percent
    ratio_high = db.Column(db.Integer, nullable=False, default=100)
    ratio_higher = db.Column(db.Integer, nullable=False, default=80)
    ratio_general = db.Column(db.Integer, nullable=False, default=50)
    ratio_low = db.Column(db.Integer, nullable=False, default=20)
    floor_percent = db.Column(db.Integer, nullable=False, default=5)

    # Day counts (working days)
    confirm_days = db.Column(db.Integer, nullable=False, default=5)
    entry_days = db.Column(db.Integer, nullable=False, default=5)
    publish_days = db.Column(db.Integer, nullable=False, default=20)

    status = db.Column(db.String(16), nullable=False, default="draft")  # draft | drawn | closed
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    lead_department = db.relationship("Department")
    departments = db.relationship(
        "PlanDepartment", back_populates="plan", cascade="all, delete-orphan", order_by="PlanDepartment.position"
    )
    items = db.relationship(
        "PlanItem", back_populates="plan", cascade="all, delete-orphan", order_by="PlanItem.position"
    )

    STATUS_LABELS = {"draft": "草拟", "drawn": "已抽取", "closed": "已结束"}

    @property
    def ratios(self) -> dict[str, int]:
        return {
            risk.HIGH: self.ratio_high,
            risk.HIGHER: self.ratio_higher,
            risk.GENERAL: self.ratio_general,
            risk.LOW: self.ratio_low,
        }

    @property
    def rules(self) -> eligibility.Rules:
        return eligibility.Rules(
            registered_before=self.registered_before,
            annual_report_year=self.annual_report_year,
            statuses=tuple(self.statuses or ()),
            category=self.category or None,
        )

    @property
    def editable(self) -> bool:
        return self.status == "draft"

    def items_of(self, department_id: int) -> list["PlanItem"]:
        return [i for i in self.items if i.department_id == department_id]


class PlanDepartment(db.Model):
    __tablename__ = "plan_departments"
    id = db.Column(db.Integer, primary_key=True)
    plan_id = db.Column(db.Integer, db.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False)
    team_size = db.Column(db.Integer, nullable=False, default=1)
    position = db.Column(db.Integer, nullable=False, default=0)

    plan = db.relationship(Plan, back_populates="departments")
    department = db.relationship("Department")

    __table_args__ = (db.UniqueConstraint("plan_id", "department_id", name="uq_plan_departments_pair"),)


class PlanItem(db.Model):
    """A check item as it stood when the plan was made: a copy, so library edits never change a plan."""

    __tablename__ = "plan_items"
    id = db.Column(db.Integer, primary_key=True)
    plan_id = db.Column(db.Integer, db.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False)
    source_item_id = db.Column(db.Integer, db.ForeignKey("check_items.id"))
    source_version = db.Column(db.Integer)
    position = db.Column(db.Integer, nullable=False, default=0)
    title = db.Column(db.String(200), nullable=False)
    methods = db.Column(db.JSON, nullable=False, default=list)
    legal_basis = db.Column(db.Text, nullable=False, default="")
    required_qualification = db.Column(db.String(64))
    check_points = db.Column(db.JSON, nullable=False, default=list)  # list of strings

    plan = db.relationship(Plan, back_populates="items")
    department = db.relationship("Department")

    @classmethod
    def copy_of(cls, item, position: int) -> "PlanItem":
        return cls(
            department_id=item.department_id,
            source_item_id=item.id,
            source_version=item.version,
            position=position,
            title=item.title,
            methods=list(item.methods),
            legal_basis=item.legal_basis,
            required_qualification=item.required_qualification,
            check_points=[p.text for p in item.points],
        )


class CalendarOverride(db.Model):
    """The office's word on a date (a holiday or 调休 workday the calendar package lacks); wins over the package."""

    __tablename__ = "calendar_overrides"
    day = db.Column(db.Date, primary_key=True)
    is_workday = db.Column(db.Boolean, nullable=False)
    note = db.Column(db.String(100), nullable=False, default="")
    updated_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
