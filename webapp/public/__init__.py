"""一公开: the public portal (no login), record and credential verification, and the office's publication pages."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from . import office, views  # noqa: E402,F401  (routes register on bp)
from .publishing import publication_deadline  # noqa: E402,F401
