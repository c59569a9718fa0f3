"""后续监管: follow-up tasks of published records, closed by the department with jurisdiction with evidence."""
from flask import Blueprint

bp = Blueprint("followup", __name__, url_prefix="/followup")

from . import views  # noqa: E402,F401  (routes register on bp)
