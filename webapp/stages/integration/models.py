"""An office's integrations: API tokens (stored hashed, scoped, revocable) and webhooks (a URL subscribed to
events, each delivery a row with its attempts). Every row belongs to the office's jurisdiction."""
from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.clock import utcnow
from webapp.core.extensions import db


class ApiToken(db.Model):
    """One integration's key to /api/v1: shown once at issue, kept as its SHA-256, limited to scopes and to the
    issuing office's jurisdiction (and the ones below it)."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True)
    name: Mapped[str] = mapped_column(db.String(100))
    prefix: Mapped[str] = mapped_column(db.String(16))  # the first characters, to tell tokens apart in lists
    token_hash: Mapped[str] = mapped_column(db.String(64), unique=True)
    scopes: Mapped[list] = mapped_column(db.JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    created_by: Mapped["User | None"] = relationship("User")  # noqa: F821
    jurisdiction: Mapped["Jurisdiction"] = relationship("Jurisdiction")  # noqa: F821

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class WebhookSubscription(db.Model):
    """An office's URL subscribed to events; the secret signs each delivery (HMAC-SHA256), so it is kept."""

    __tablename__ = "webhook_subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True)
    url: Mapped[str] = mapped_column(db.String(500))
    events: Mapped[list] = mapped_column(db.JSON, default=list)
    secret: Mapped[str] = mapped_column(db.String(64))
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)


class WebhookDelivery(db.Model):
    """One event sent to one subscription: its body, its attempts and what the receiver answered."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (db.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)  # the retry sweep
    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        db.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True)
    jurisdiction_id: Mapped[int] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True)
    event: Mapped[str] = mapped_column(db.String(32))
    payload: Mapped[dict] = mapped_column(db.JSON, default=dict)
    status: Mapped[str] = mapped_column(db.String(16), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(db.String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    subscription: Mapped[WebhookSubscription] = relationship(WebhookSubscription)
