"""The enterprise and the public take part: the inspected enterprise's own page (/e/<token>, no account), the
public 举报 form and its follow-up (/jubao/), the duties-and-rights page, and the departments' handling pages
(/handling/)."""
from flask import Blueprint

bp = Blueprint("enterprise", __name__)


def _corrections(token, department_name):
    from webapp.stages.enterprise.objections import public_corrections

    return public_corrections(token, department_name)


# The public result pages (faces/public, templates/public/_result.html) note a corrected result with this.
bp.add_app_template_global(_corrections, "result_corrections")

from webapp.faces.enterprise import handling, public, views  # noqa: E402,F401  (routes register on bp)
