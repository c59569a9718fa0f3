from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, text
from sqlalchemy.orm import joinedload

from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.faces import pages
from webapp.faces.home import todo
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Jurisdiction

bp = Blueprint("main", __name__)
bp.add_app_template_global(pages.runs_here, "runs_here")  # every page's (office, users, inspectors, draw…)


@bp.app_context_processor
def _jurisdiction_name():
    """`jurisdiction_name` for the footer: the signed-in user's own jurisdiction, else the deployment's."""
    def name():
        return jurisdictions.full_name(_own_jurisdiction())
    return {"jurisdiction_name": name}


def _own_jurisdiction() -> Jurisdiction | None:
    """The signed-in user's jurisdiction with its parent, in one statement (not two lazy loads per page)."""
    user = current_user if current_user and current_user.is_authenticated else None
    if user is None or user.jurisdiction_id is None:
        return None
    return db.session.scalar(select(Jurisdiction).options(joinedload(Jurisdiction.parent))
                             .where(Jurisdiction.id == user.jurisdiction_id))


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render_template("main/index.html")


@bp.route("/home")
@login_required
def home():
    return render_template("main/home.html", sections=todo.sections(current_user, clock.today()))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # report, never crash the probe
        db.session.rollback()
        database = f"error: {type(exc).__name__}"
    ok = database == "ok"
    # The draw's hashing loops: "compiled" (webapp/domain/_hashrank.c), or "python" where the package was
    # installed without a compiler (same results, several times slower matching).
    hashing = "compiled" if algo.COMPILED else "python"
    return jsonify(status="ok" if ok else "degraded", app="ok", database=database,
                   draw_hashing=hashing), 200 if ok else 503
