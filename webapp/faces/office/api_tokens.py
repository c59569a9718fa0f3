"""The office's API tokens (开放接口令牌): issue one per integration (shown once), see when each was last used,
revoke it. Only the office admin, only the tokens of the office's jurisdiction and below."""
from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from webapp.core.extensions import db
from webapp.domain import roles
from webapp.faces.auth.gate import role_required
from webapp.faces.pages import done, made_once
from webapp.stages.accounts import jurisdictions
from webapp.stages.integration import tokens
from webapp.stages.integration.models import ApiToken

bp = Blueprint("api_tokens", __name__, url_prefix="/office/api-tokens")


@bp.route("/", methods=["GET", "POST"])
@role_required(roles.OFFICE_ADMIN)
def index():
    shown = made_once(lambda: tokens.issue(request.form.get("name", ""), request.form.getlist("scopes"),
                                           current_user.jurisdiction_id, current_user)[1])
    return render_template("api_v1/tokens.html", shown=shown, scopes=tokens.SCOPES,
                           rows=tokens.of_office(current_user))


@bp.post("/<int:token_id>/revoke")
@role_required(roles.OFFICE_ADMIN)
def revoke(token_id):
    token = db.session.get(ApiToken, token_id)
    if token is None or not jurisdictions.sees(current_user, token.jurisdiction_id):
        abort(404)
    tokens.revoke(token, current_user)
    return done(f"已吊销令牌“{token.name}”。", "api_tokens.index")
