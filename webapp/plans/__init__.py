"""Plans (抽查工作方案): list, create, edit while a draft, and the eligibility preview."""
from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")

from . import views  # noqa: E402,F401
