"""审核: supervisors review submitted 一企一表 records of their department, approve or return them with a comment,
and the team answers a return with an amendment (补充说明) from the phone."""
from flask import Blueprint

bp = Blueprint("review", __name__)

from . import api, views  # noqa: E402,F401
from .service import returns_for, team_amendments  # noqa: E402,F401
