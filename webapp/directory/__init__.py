"""The directories: the object directory (检查对象名录库), the inspector roster (执法检查人员名录库), conflicts of
interest (回避), the check-item library, and importing them from the spreadsheets offices have."""
from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/directory")

from . import views  # noqa: E402,F401
