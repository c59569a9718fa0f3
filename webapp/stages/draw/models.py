"""Draws (抽取) of a plan, entity and inspector ceremonies, and each department's confirmation of the list."""
from webapp.core.clock import utcnow
from webapp.core.extensions import db


class Draw(db.Model):
    """One attempt at a ceremony. Never deleted: abandoned attempts stay on the record and the public page.

    `live` is 1 while prepared or executed and NULL once abandoned, so the unique constraint allows exactly one
    live draw per plan and kind (NULLs never collide), whatever two browsers do at the same moment.
    """

    __tablename__ = "draws"
    id = db.Column(db.Integer, primary_key=True)
    plan_id = db.Column(db.Integer, db.ForeignKey("plans.id"), nullable=False, index=True)
    kind = db.Column(db.String(16), nullable=False)  # entities | inspectors
    status = db.Column(db.String(16), nullable=False, default="prepared")  # prepared | executed | abandoned
    live = db.Column(db.Integer, default=1)
    attempt = db.Column(db.Integer, nullable=False, default=1)

    # Frozen at prepare: the canonical population text (exactly the bytes the digest covers) and parameters.
    # Deferred: lists of draws never load a million-line population or result they do not show.
    population = db.deferred(db.Column(db.Text, nullable=False))
    population_size = db.Column(db.Integer, nullable=False)
    population_digest = db.Column(db.String(64), nullable=False)
    params = db.Column(db.JSON, nullable=False, default=dict)
    nonce = db.Column(db.String(64), nullable=False)  # secret until executed (or abandoned)
    commitment = db.Column(db.String(64), nullable=False)

    witness = db.Column(db.Text)
    seed = db.Column(db.String(64))
    result = db.deferred(db.Column(db.JSON))
    abandon_reason = db.Column(db.Text)

    prepared_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    prepared_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    prepared_ip = db.Column(db.String(64))
    executed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    executed_at = db.Column(db.DateTime(timezone=True))
    executed_on = db.Column(db.Date)  # the Beijing date of execution, for working-day deadlines
    executed_ip = db.Column(db.String(64))
    abandoned_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    abandoned_at = db.Column(db.DateTime(timezone=True))
    abandoned_ip = db.Column(db.String(64))

    plan = db.relationship("Plan")
    prepared_by = db.relationship("User", foreign_keys=[prepared_by_id])
    executed_by = db.relationship("User", foreign_keys=[executed_by_id])
    abandoned_by = db.relationship("User", foreign_keys=[abandoned_by_id])
    confirmations = db.relationship(
        "DrawConfirmation", back_populates="draw", cascade="all, delete-orphan", order_by="DrawConfirmation.id"
    )

    __table_args__ = (db.UniqueConstraint("plan_id", "kind", "live", name="uq_draws_live"),)

    KIND_LABELS = {"entities": "检查对象抽取", "inspectors": "执法人员抽取与匹配"}
    STATUS_LABELS = {"prepared": "已准备（待执行）", "executed": "已执行", "abandoned": "已作废"}

    @property
    def nonce_public(self) -> bool:
        return self.status in ("executed", "abandoned")


class DrawConfirmation(db.Model):
    """A participating department's 比对和确认 of an executed entity draw, due within confirm_days working days."""

    __tablename__ = "draw_confirmations"
    id = db.Column(db.Integer, primary_key=True)
    draw_id = db.Column(db.Integer, db.ForeignKey("draws.id"), nullable=False, index=True)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"), nullable=False)
    deadline = db.Column(db.Date, nullable=False)
    deadline_provisional = db.Column(db.Boolean, nullable=False, default=False)
    confirmed_at = db.Column(db.DateTime(timezone=True))
    confirmed_on = db.Column(db.Date)
    confirmed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    late = db.Column(db.Boolean, nullable=False, default=False)

    draw = db.relationship(Draw, back_populates="confirmations")
    department = db.relationship("Department")
    confirmed_by = db.relationship("User")
    exclusions = db.relationship(
        "DrawExclusion", back_populates="confirmation", cascade="all, delete-orphan", order_by="DrawExclusion.id"
    )

    __table_args__ = (db.UniqueConstraint("draw_id", "department_id", name="uq_draw_confirmations_pair"),)

    def overdue(self, today) -> bool:
        return self.confirmed_at is None and today > self.deadline


class DrawExclusion(db.Model):
    """An entity a department took off the drawn list, with its reason (public)."""

    __tablename__ = "draw_exclusions"
    id = db.Column(db.Integer, primary_key=True)
    confirmation_id = db.Column(
        db.Integer, db.ForeignKey("draw_confirmations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    entity_id = db.Column(db.Integer, db.ForeignKey("entities.id"), nullable=False)
    uscc = db.Column(db.String(18), nullable=False)
    reason_code = db.Column(db.String(16), nullable=False)
    note = db.Column(db.String(300), nullable=False, default="")
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    confirmation = db.relationship(DrawConfirmation, back_populates="exclusions")
    entity = db.relationship("Entity")

    __table_args__ = (db.UniqueConstraint("confirmation_id", "entity_id", name="uq_draw_exclusions_pair"),)

    # 不属本部门监管 takes the entity off this department's team only; the others take it off the list.
    REASONS = {
        "cancelled": "已注销",
        "moved": "已迁出",
        "not_ours": "不属本部门监管",
        "duplicate": "重复",
        "other": "其他",
    }

    @property
    def label(self) -> str:
        text = self.REASONS.get(self.reason_code, self.reason_code)
        return f"{text}：{self.note}" if self.note else text
