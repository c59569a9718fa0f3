"""QR codes: the inspector's credential (亮证), check-in posters (扫码入企), and record codes for print."""
from flask import Blueprint

bp = Blueprint("qr", __name__)

from . import views  # noqa: E402,F401  (routes register on bp)
