"""报表: the 一企一表 as a printable document and a PDF, the XLSX exports of a plan, and the dashboard with
inspectors' feedback (信息反馈)."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from . import views  # noqa: E402,F401
