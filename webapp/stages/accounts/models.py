"""Departments, user accounts with their roles, and sign-in attempts."""
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.domain import roles


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


class LoginAttempt(db.Model):
    """Failed and successful sign-ins, kept to slow down password guessing."""

    __tablename__ = "login_attempts"
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), nullable=False, index=True)
    ip = db.Column(db.String(64), nullable=False, index=True)
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    success = db.Column(db.Boolean, nullable=False)
