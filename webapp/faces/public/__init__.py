"""一公开 for everyone, no login: the portal, an enterprise's published results, record and credential
verification (the QR codes), the public draw pages and the annual plans published in advance."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from webapp.faces.public import draws, plans, transparency, views  # noqa: E402,F401  (routes register on bp)
