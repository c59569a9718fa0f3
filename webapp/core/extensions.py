"""Extension objects, created unbound and bound to the app in the factory."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData

# Stable constraint names so that Alembic can alter them on SQLite and PostgreSQL alike.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate(render_as_batch=True, compare_type=True)  # batch: SQLite can alter tables too
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"
# Flask-Login's "basic" protection marks a session not fresh on its first request from an unknown address or
# browser, and so writes the cookie of an anonymous visitor on a request that changes nothing (the favicon after
# the login page): landing after the sign-in's answer, that cookie replaced the signed-in one. Nothing here asks
# for a fresh login, and every request checks its session's row on the server (stages/accounts/sessions.py).
login_manager.session_protection = None
