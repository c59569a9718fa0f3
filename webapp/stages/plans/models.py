"""Plans (抽查工作方案): window, departments and their items, eligibility rules, ratios, floor, team sizes."""
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.domain import eligibility, risk
from webapp.stages.accounts.models import department_jurisdiction
from webapp.stages.directory.models import ItemContent

if TYPE_CHECKING:
    from webapp.stages.accounts.models import Department, Jurisdiction, User


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
    # The annual plan (年度抽查计划) this plan is a task of, if any.
    annual_plan_id: Mapped[int | None] = mapped_column(db.ForeignKey("annual_plans.id"), index=True)
    # The office that runs it (its lead department's, unless set): a city's plan draws across its districts.
    jurisdiction_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True,
                                                        default=department_jurisdiction)

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
    annual_plan: Mapped["AnnualPlan | None"] = relationship("AnnualPlan", back_populates="tasks")
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


class TakingPart:
    """A department taking part in a plan or an annual plan, in the order the plan lists them."""

    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"))
    position: Mapped[int] = mapped_column(default=0)

    @declared_attr
    def department(cls) -> Mapped["Department"]:
        return relationship("Department")


class PlanDepartment(TakingPart, db.Model):
    __tablename__ = "plan_departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(db.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    team_size: Mapped[int] = mapped_column(default=1)

    plan: Mapped[Plan] = relationship(Plan, back_populates="departments")

    __table_args__ = (db.UniqueConstraint("plan_id", "department_id", name="uq_plan_departments_pair"),)


class PlanItem(ItemContent, db.Model):
    """A check item as it stood when the plan was made: a copy, so library edits never change a plan."""

    __tablename__ = "plan_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(db.ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"))
    source_item_id: Mapped[int | None] = mapped_column(db.ForeignKey("check_items.id"))
    source_version: Mapped[int | None] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)
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
            check_points=[p.text for p in item.points],
            **item.content(),
        )


class CalendarOverride(db.Model):
    """The office's word on a date (a holiday or 调休 workday the calendar package lacks); wins over the package."""

    __tablename__ = "calendar_overrides"
    day: Mapped[date] = mapped_column(primary_key=True)
    is_workday: Mapped[bool] = mapped_column()
    note: Mapped[str] = mapped_column(db.String(100), default="")
    updated_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class AnnualPlan(db.Model):
    """A jurisdiction's 年度抽查计划 (e.g. 保莲双随机办〔2023〕4号): its departments and planned tasks, filed to the
    level above (报上级备案); each task is a Plan (`plans.annual_plan_id`). Public once `published_at` is set."""

    __tablename__ = "annual_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True)
    year: Mapped[int] = mapped_column()
    doc_number: Mapped[str] = mapped_column(db.String(64))
    title: Mapped[str] = mapped_column(db.String(200))
    issuer: Mapped[str] = mapped_column(db.String(200), default="")
    issued_on: Mapped[date | None] = mapped_column()
    planned_tasks: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str] = mapped_column(db.Text, default="")
    filed_on: Mapped[date | None] = mapped_column()  # 报上级备案 (the Beijing date)
    filed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    filed_to_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"))
    published_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    jurisdiction: Mapped["Jurisdiction"] = relationship("Jurisdiction", foreign_keys=[jurisdiction_id])
    filed_to: Mapped["Jurisdiction | None"] = relationship("Jurisdiction", foreign_keys=[filed_to_id])
    filed_by: Mapped["User | None"] = relationship("User", foreign_keys=[filed_by_id])
    departments: Mapped[list["AnnualPlanDepartment"]] = relationship(
        "AnnualPlanDepartment", back_populates="annual_plan", cascade="all, delete-orphan",
        order_by="AnnualPlanDepartment.position")
    tasks: Mapped[list[Plan]] = relationship(Plan, back_populates="annual_plan",
                                             order_by=[Plan.window_start, Plan.id])

    __table_args__ = (db.UniqueConstraint("jurisdiction_id", "doc_number", name="uq_annual_plans_doc"),)

    @property
    def filed(self) -> bool:
        return self.filed_on is not None


class AnnualPlanDepartment(TakingPart, db.Model):
    __tablename__ = "annual_plan_departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    annual_plan_id: Mapped[int] = mapped_column(db.ForeignKey("annual_plans.id", ondelete="CASCADE"), index=True)

    annual_plan: Mapped[AnnualPlan] = relationship(AnnualPlan, back_populates="departments")

    __table_args__ = (db.UniqueConstraint("annual_plan_id", "department_id", name="uq_annual_plan_departments_pair"),)


class JurisdictionLimits(db.Model):
    """A jurisdiction's time limits (working days: entry, publication after the end of the check) and its 无事不扰
    cap on random checks of one enterprise per year; a jurisdiction without a row has `domain.programme.Limits()`."""

    __tablename__ = "jurisdiction_limits"
    jurisdiction_id: Mapped[int] = mapped_column(db.ForeignKey("jurisdictions.id"), primary_key=True)
    entry_days: Mapped[int] = mapped_column(default=5)
    publish_days: Mapped[int] = mapped_column(default=20)
    visit_cap: Mapped[int | None] = mapped_column()
    updated_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
