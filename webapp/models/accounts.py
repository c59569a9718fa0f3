"""Departments, user accounts with their roles, inspector profiles, and the audit trail."""
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain import roles
from ..extensions import db
from .base import utcnow


class Department(db.Model):
    __tablename__ = "departments"
    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(32), nullable=False, unique=True)
    name = db.Column(db.String(100), nullable=False, unique=True)

    def __repr__(self):
        return f"<Department {self.code}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), nullable=False, unique=True)
    full_name = db.Column(db.String(64), nullable=False)
    password_hash = db.Column(db.String(256), nullable=False)
    department_id = db.Column(db.Integer, db.ForeignKey("departments.id"))
    phone = db.Column(db.String(32))
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    department = db.relationship(Department)
    role_rows = db.relationship("UserRole", cascade="all, delete-orphan", lazy="selectin")
    profile = db.relationship("InspectorProfile", back_populates="user", uselist=False)

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
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role = db.Column(db.String(32), primary_key=True)


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


class LoginAttempt(db.Model):
    """Failed and successful sign-ins, kept to slow down password guessing."""

    __tablename__ = "login_attempts"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), nullable=False, index=True)
    ip = db.Column(db.String(64), nullable=False, index=True)
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    success = db.Column(db.Boolean, nullable=False)


class AuditEvent(db.Model):
    """Who did what, when, from where. Append-only."""

    __tablename__ = "audit_events"
    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    ip = db.Column(db.String(64))
    action = db.Column(db.String(64), nullable=False, index=True)
    object_type = db.Column(db.String(32))
    object_id = db.Column(db.String(64))
    detail = db.Column(db.JSON, nullable=False, default=dict)

    user = db.relationship(User)

    __table_args__ = (db.Index("ix_audit_object", "object_type", "object_id"),)


