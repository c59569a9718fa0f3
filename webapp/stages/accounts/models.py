"""Jurisdictions (GB/T 2260 division codes: province → city → district), departments, user accounts with their roles, their sessions (revocable on the server), and sign-in attempts."""
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.domain import roles


class Jurisdiction(db.Model):
    """An administrative division with its own 双随机办: 130000 河北省 → 130600 保定市 → 130606 莲池区.
    Roles are held in one; a city or province sees everything below it (`parent_id` chain)."""

    __tablename__ = "jurisdictions"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(db.String(6), unique=True)  # GB/T 2260
    name: Mapped[str] = mapped_column(db.String(64))
    level: Mapped[str] = mapped_column(db.String(16))  # province | city | district
    parent_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True)

    parent: Mapped["Jurisdiction | None"] = relationship("Jurisdiction", remote_side=[id])

    def __repr__(self):
        return f"<Jurisdiction {self.code}>"


class Department(db.Model):
    __tablename__ = "departments"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True)
    code: Mapped[str] = mapped_column(db.String(32))
    name: Mapped[str] = mapped_column(db.String(100))

    jurisdiction: Mapped[Jurisdiction | None] = relationship(Jurisdiction)

    # 区教体局 exists in every district: a code and a name are unique within one jurisdiction.
    __table_args__ = (
        db.UniqueConstraint("jurisdiction_id", "code", name="uq_departments_jurisdiction_code"),
        db.UniqueConstraint("jurisdiction_id", "name", name="uq_departments_jurisdiction_name"),
    )

    def __repr__(self):
        return f"<Department {self.code}>"


def department_jurisdiction(context):
    """Column default: a row made for a department (a user, a plan's lead department) is placed where the
    department is, unless the writer says otherwise."""
    params = context.get_current_parameters()
    department_id = params.get("department_id", params.get("lead_department_id"))
    if department_id is None:
        return None
    return context.connection.scalar(
        select(Department.__table__.c.jurisdiction_id).where(Department.__table__.c.id == department_id))


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(db.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(db.String(64))
    password_hash: Mapped[str] = mapped_column(db.String(256))
    department_id: Mapped[int | None] = mapped_column(db.ForeignKey("departments.id"))
    # The jurisdiction the user's roles are held in (a department user: the department's).
    jurisdiction_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True,
                                                        default=department_jurisdiction)
    phone: Mapped[str | None] = mapped_column(db.String(32))
    active: Mapped[bool] = mapped_column(default=True)
    # Set when the office resets the password: the user must choose a new one before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    department: Mapped[Department | None] = relationship(Department)
    jurisdiction: Mapped[Jurisdiction | None] = relationship(Jurisdiction)
    role_rows: Mapped[list["UserRole"]] = relationship("UserRole", cascade="all, delete-orphan", lazy="selectin")
    # The directory stage's InspectorProfile: a stage may not import a later one, not even for typing.
    profile: Mapped["InspectorProfile | None"] = relationship(  # noqa: F821
        "InspectorProfile", back_populates="user", uselist=False
    )

    # The server-side session this request runs under (stages/accounts/sessions.py), set by the user loader.
    session_key = None  # str: not a column

    def get_id(self):
        """What Flask-Login puts in the session cookie and the remember-me cookie: the user and the session's
        secret, so that a cookie is only good while its session row on the server is not revoked."""
        return f"{self.id}:{self.session_key}" if self.session_key else None

    @property
    def is_active(self):  # Flask-Login: a disabled account cannot sign in
        return self.active

    @property
    def roles(self) -> set[str]:
        return {r.role for r in self.role_rows}

    def has_role(self, *wanted: str) -> bool:
        return bool(self.roles & set(wanted))

    def set_roles(self, wanted):
        self.role_rows = [UserRole(role=r) for r in sorted(set(wanted))]

    def set_password(self, password: str):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def role_labels(self) -> list[str]:
        return [roles.LABELS[r] for r in roles.ACCOUNT_ROLES if r in self.roles]


class UserRole(db.Model):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(db.String(32), primary_key=True)


class UserSession(db.Model):
    """One sign-in on one browser: the cookie carries its secret, the table keeps only the secret's SHA-256.
    Signing out, a password change or reset, or disabling the account revokes it; it also ends at `expires_at`."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(db.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(db.String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    revoked_why: Mapped[str | None] = mapped_column(db.String(32))

    user: Mapped[User] = relationship(User)


class LoginAttempt(db.Model):
    """Failed and successful sign-ins, kept to slow down password guessing."""

    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(db.String(64), index=True)
    ip: Mapped[str] = mapped_column(db.String(64), index=True)
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, index=True)
    success: Mapped[bool] = mapped_column()
