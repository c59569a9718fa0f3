"""双随机、一公开 joint spot checks: the Flask application factory.

The package reads in the regime's order: `domain/` (pure rules), `core/` (what everything shares), `stages/`
(accounts → directory → plans → draw → records → field → review → publication, each owning its tables), and
`faces/` on top (pages, the phone's API, the field shell, the public portal, reports, CLI, demo)."""
from pathlib import Path

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """templates/, static/ and service_worker/ sit inside the installed wheel, or beside the package in a checkout."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def load_models():
    """Register every stage's tables with SQLAlchemy (the app, the migrations and the tests need them all)."""
    from webapp.core import audit, jobs, ledger  # noqa: F401
    from webapp.stages.accounts import models as accounts  # noqa: F401
    from webapp.stages.directory import models as directory  # noqa: F401
    from webapp.stages.draw import models as draw  # noqa: F401
    from webapp.stages.enterprise import models as enterprise  # noqa: F401
    from webapp.stages.field import models as field  # noqa: F401
    from webapp.stages.integration import models as integration  # noqa: F401
    from webapp.stages.plans import models as plans  # noqa: F401
    from webapp.stages.publication import dashboard_counts  # noqa: F401
    from webapp.stages.publication import models as publication  # noqa: F401
    from webapp.stages.records import models as records  # noqa: F401
    from webapp.stages.review import models as review  # noqa: F401


def register_blueprints(app: Flask):
    """Every face's pages, one blueprint per area."""
    from webapp.faces import api, assets, auth, enterprise, field, home, media, public
    from webapp.faces.department import confirm, credentials, directory, followup
    from webapp.faces.office import (
        draw,
        plans,
        posters,
        programme,  # the annual programme (issue 12 §3–5)
        publication,
        users,
    )
    from webapp.faces.reports import views as reports
    from webapp.faces.review import views as review

    app.register_blueprint(programme.bp)
    for face in (assets, auth, home, users, media, draw, confirm, directory, plans, review, reports, api, public,
                 posters, credentials, followup, publication, field, enterprise):
        app.register_blueprint(face.bp)
    from webapp.faces import api_v1, open_data  # the open API and the open results feed (issue 14)
    from webapp.faces.office import api_tokens, audit_log
    from webapp.faces.office import webhooks as webhook_pages
    from webapp.stages.integration import webhooks  # noqa: F401  (its delivery job, sweep and event listeners)
    from webapp.stages.publication import dashboard_reads  # noqa: F401  (its settle every 2 s)

    for face in (api_v1, open_data, api_tokens, webhook_pages, audit_log):
        app.register_blueprint(face.bp)
    from webapp.faces import jobs as jobs_face  # background jobs' progress (issue 17)

    app.register_blueprint(jobs_face.bp)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
        instance_relative_config=True,
    )
    from webapp.core import config as settings

    app.config.update(settings.load(app.instance_path))
    if config:
        app.config.update(config)

    from webapp.core import errors, extensions, jobs, periodic, web
    from webapp.faces import auth, cli

    load_models()
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(PACKAGE_DIR / "migrations"))
    extensions.csrf.init_app(app)
    extensions.login_manager.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    periodic.init_app(app)  # the periodic sweeps' threads, when jobs run in the web process
    register_blueprints(app)
    cli.init_app(app)
    jobs.connect(app)
    from webapp.core import audit, kept

    kept.forget_all()  # what an earlier application of this process kept (tests) is not this one's
    audit.seal_last()  # the audit chain's lock as late as can be: after every other commit hook
    return app
