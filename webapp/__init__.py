"""双随机、一公开 joint spot checks: the Flask application factory."""
from pathlib import Path

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """templates/, static/ and service_worker/ sit inside the installed wheel, or beside the package in a checkout."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
        instance_relative_config=True,
    )
    from . import config as settings

    app.config.update(settings.load(app.instance_path))
    if config:
        app.config.update(config)

    from . import auth, cli, errors, extensions, models, web  # noqa: F401  (models registers the tables)

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(PACKAGE_DIR / "migrations"))
    extensions.csrf.init_app(app)
    extensions.login_manager.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    web.register_blueprints(app)
    cli.init_app(app)
    return app
