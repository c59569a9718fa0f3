"""Schema operations shared by the CLI, the demo and the tests: always through the Alembic migrations."""
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import MetaData

from .extensions import db


def migrate_to_latest():
    # "heads" rather than "head": a branch not yet merged still applies (tests insist on one head).
    upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")


def drop_everything():
    """Drop every table of the configured database, including Alembic's own, whatever the models say."""
    meta = MetaData()
    meta.reflect(bind=db.engine)
    meta.drop_all(bind=db.engine)


def recreate():
    drop_everything()
    migrate_to_latest()
