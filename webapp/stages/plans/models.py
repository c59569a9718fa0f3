"""Plans (抽查工作方案): window, departments and their items, eligibility rules, ratios, floor, team sizes."""
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.domain import eligibility, risk

if TYPE_CHECKING:
    from webapp.stages.accounts.models import Department


class Plan(db.Model):
    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    doc_number: Mapped[str] = mapped_column(db.String(64))  # 保莲双随机办[2023]10号
    title: Mapped[str] = mapped_column(db.String(200))
    issuer: Mapped[str] = mapped_column(db.String(200))
    issued_on: Mapped[date | None] = mapped_column()
    based_on: Mapped[str] = mapped_column(db.String(200), default="")
    contact_name: Mapped[str] = mapped_column(db.String(32), default="")
    contact_phone: Mapped[str] = mapped_column(db.String(32), default="")
    window_start: Mapped[date] = mapped_column()
    window_end: Mapped[date] = mapped_column()
    lead_department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"))

    # Eligibility rules
    category: Mapped[str | None] = mapped_column(db.String(64))
    registered_before: Mapped[date | None] = mapped_column()
    annual_report_year: Mapped[int | None] = mapped_column()
    statuses: Mapped[list] = mapped_column(db.JSON, default=list)

    # Sampling, in whole percent
    ratio_high: Mapped[int] = mapped_column(default=100)
    ratio_higher: Mapped[int] = mapped_column(default=80)
    ratio_general: Mapped[int] = mapped_column(default=50)
    ratio_low: Mapped[int] = mapped_column(default=20)
    floor_percent: Mapped[int] = mapped_column(default=5)

    # Day counts (working days)
    confirm_days: Mapped[int] = mapped_column(default=5)
    entry_days: Mapped[int] = mapped_column(default=5)
    publish_days: Mapped[int] = mapped_column(default=20)

    status: Mapped[str] = mapped_column(db.String(16), default="draft")  # draft | drawn | closed
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    lead_department: Mapped["Department"] = relationship("Department")
    departments: Mapped[list["PlanDepartment"]] = relationship(
        "PlanDepartment", back_populates="plan", cascade="all, delete-orphan", order_by="PlanDepartment.position"
    )
    items: Mapped[list["PlanItem"]] = relationship(
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
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(db.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"))
    team_size: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    plan: Mapped[Plan] = relationship(Plan, back_populates="departments")
    department: Mapped["Department"] = relationship("Department")

    __table_args__ = (db.UniqueConstraint("plan_id", "department_id", name="uq_plan_departments_pair"),)


class PlanItem(db.Model):
    """A check item as it stood when the plan was made: a copy, so library edits never change a plan."""

    __tablename__ = "plan_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(db.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"))
    source_item_id: Mapped[int | None] = mapped_column(db.ForeignKey("check_items.id"))
    source_version: Mapped[int | None] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(db.String(200))
    methods: Mapped[list] = mapped_column(db.JSON, default=list)
    legal_basis: Mapped[str] = mapped_column(db.Text, default="")
    required_qualification: Mapped[str | None] = mapped_column(db.String(64))
    check_points: Mapped[list] = mapped_column(db.JSON, default=list)  # list of strings

    plan: Mapped[Plan] = relationship(Plan, back_populates="items")
    department: Mapped["Department"] = relationship("Department")

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
    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(db.String(100), default="")
    updated_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
