"""Draws (抽取) of a plan, entity and inspector ceremonies, and each department's confirmation of the list."""
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from webapp.core.clock import utcnow
from webapp.core.extensions import db

if TYPE_CHECKING:
    from webapp.stages.accounts.models import Department, User
    from webapp.stages.directory.models import Entity
    from webapp.stages.plans.models import Plan


class Draw(db.Model):
    """One attempt at a ceremony. Never deleted: abandoned attempts stay on the record and the public page.

    `live` is 1 while prepared or executed and NULL once abandoned, so the unique constraint allows exactly one
    live draw per plan and kind (NULLs never collide), whatever two browsers do at the same moment.
    """

    __tablename__ = "draws"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(db.ForeignKey("plans.id"), index=True)
    kind: Mapped[str] = mapped_column(db.String(16))  # entities | inspectors
    status: Mapped[str] = mapped_column(db.String(16), default="prepared")  # prepared | executed | abandoned
    live: Mapped[int | None] = mapped_column(default=1)
    attempt: Mapped[int] = mapped_column(default=1)

    # Frozen at prepare: the canonical population text (exactly the bytes the digest covers) and parameters.
    # Deferred: lists of draws never load a million-line population or result they do not show.
    population: Mapped[str] = mapped_column(db.Text, deferred=True)
    population_size: Mapped[int] = mapped_column()
    population_digest: Mapped[str] = mapped_column(db.String(64))
    params: Mapped[dict] = mapped_column(db.JSON, default=dict)
    nonce: Mapped[str] = mapped_column(db.String(64))  # secret until executed (or abandoned)
    commitment: Mapped[str] = mapped_column(db.String(64))

    witness: Mapped[str | None] = mapped_column(db.Text)
    seed: Mapped[str | None] = mapped_column(db.String(64))
    # The result: an entity draw keeps here its counts only, its chosen entities are DrawSelection rows
    # (`result` still reads as {…, "selected": [[uscc, risk, score, by], …]}: small draws, tests and scripts);
    # an inspectors' draw keeps its teams here.
    outcome: Mapped[dict | None] = mapped_column("result", db.JSON, deferred=True)
    abandon_reason: Mapped[str | None] = mapped_column(db.Text)

    prepared_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    prepared_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    prepared_ip: Mapped[str | None] = mapped_column(db.String(64))
    executed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    executed_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    executed_on: Mapped[date | None] = mapped_column()  # the Beijing date of execution, for working-day deadlines
    executed_ip: Mapped[str | None] = mapped_column(db.String(64))
    abandoned_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    abandoned_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    abandoned_ip: Mapped[str | None] = mapped_column(db.String(64))

    # Commit now, reveal later: the SHA-256 of the manifest (without the departments' later exclusions), public
    # from the execution; the manifest itself once the plan's window has closed or the office disclosed it early.
    manifest_sha256: Mapped[str | None] = mapped_column(db.String(64))
    disclosed_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    disclosure_reason: Mapped[str | None] = mapped_column(db.Text)
    disclosed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))

    plan: Mapped["Plan"] = relationship("Plan")
    prepared_by: Mapped["User | None"] = relationship("User", foreign_keys=[prepared_by_id])
    executed_by: Mapped["User | None"] = relationship("User", foreign_keys=[executed_by_id])
    abandoned_by: Mapped["User | None"] = relationship("User", foreign_keys=[abandoned_by_id])
    disclosed_by: Mapped["User | None"] = relationship("User", foreign_keys=[disclosed_by_id])
    confirmations: Mapped[list["DrawConfirmation"]] = relationship(
        "DrawConfirmation", back_populates="draw", cascade="all, delete-orphan", order_by="DrawConfirmation.id"
    )

    __table_args__ = (db.UniqueConstraint("plan_id", "kind", "live", name="uq_draws_live"),)

    KIND_LABELS = {"entities": "检查对象抽取", "inspectors": "执法人员抽取与匹配"}
    STATUS_LABELS = {"prepared": "已准备（待执行）", "executed": "已执行", "abandoned": "已作废"}

    @property
    def nonce_public(self) -> bool:
        return self.status in ("executed", "abandoned")

    def _result(self) -> dict | None:
        if self.outcome is None or self.kind != "entities":
            return self.outcome
        from webapp.stages.draw import selection  # it imports this module

        return dict(self.outcome, selected=[list(row) for row in selection.rows(self.id)])

    def _set_result(self, value: dict | None):
        self.outcome = value

    result = synonym("outcome", descriptor=property(_result, _set_result))


class DrawSelection(db.Model):
    """One entity an entity draw chose, in its rank (ascending score, from 1): written with COPY, millions at once.
    Lean for a 10,000,000-entity draw (0034): no score column (SHA-256(seed || "entity" || uscc), recomputed by
    `selection.rows`), no foreign key (its check per row made COPY ten times slower; draws are never deleted) and no
    B-tree: on PostgreSQL a BRIN index on (draw_id, rank), since COPY writes a draw's rows together in rank order;
    (draw_id, rank) identifies a row for the mapper only."""

    __tablename__ = "draw_selections"
    draw_id: Mapped[int] = mapped_column()
    rank: Mapped[int] = mapped_column()
    risk: Mapped[str] = mapped_column(db.String(16))  # the stratum
    uscc: Mapped[str] = mapped_column(db.String(18))
    by: Mapped[str] = mapped_column(db.String(8))  # ratio | floor

    __table_args__ = (db.Index("ix_draw_selections_draw_id_rank", "draw_id", "rank", postgresql_using="brin"),)
    __mapper_args__ = {"primary_key": [draw_id, rank]}


class DrawConfirmation(db.Model):
    """A participating department's 比对和确认 of an executed entity draw, due within confirm_days working days."""

    __tablename__ = "draw_confirmations"
    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(db.ForeignKey("draws.id"), index=True)
    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"))
    deadline: Mapped[date] = mapped_column()
    deadline_provisional: Mapped[bool] = mapped_column(default=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    confirmed_on: Mapped[date | None] = mapped_column()
    confirmed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    late: Mapped[bool] = mapped_column(default=False)

    draw: Mapped[Draw] = relationship(Draw, back_populates="confirmations")
    department: Mapped["Department"] = relationship("Department")
    confirmed_by: Mapped["User | None"] = relationship("User")
    exclusions: Mapped[list["DrawExclusion"]] = relationship(
        "DrawExclusion", back_populates="confirmation", cascade="all, delete-orphan", order_by="DrawExclusion.id"
    )

    __table_args__ = (db.UniqueConstraint("draw_id", "department_id", name="uq_draw_confirmations_pair"),)

    def overdue(self, today) -> bool:
        return self.confirmed_at is None and today > self.deadline


class DrawExclusion(db.Model):
    """An entity a department took off the drawn list, with its reason (public)."""

    __tablename__ = "draw_exclusions"
    id: Mapped[int] = mapped_column(primary_key=True)
    confirmation_id: Mapped[int] = mapped_column(
        db.ForeignKey("draw_confirmations.id", ondelete="CASCADE"), index=True
    )
    entity_id: Mapped[int] = mapped_column(db.ForeignKey("entities.id"))
    uscc: Mapped[str] = mapped_column(db.String(18))
    reason_code: Mapped[str] = mapped_column(db.String(16))
    note: Mapped[str] = mapped_column(db.String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    confirmation: Mapped[DrawConfirmation] = relationship(DrawConfirmation, back_populates="exclusions")
    entity: Mapped["Entity"] = relationship("Entity")

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
