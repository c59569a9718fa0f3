"""亮证 for the field app: the inspector's credential as JSON, cached by the phone for offline use."""
from flask import jsonify
from flask_login import current_user

from webapp.core.errors import json_error
from webapp.core.extensions import db
from webapp.faces.api import bp
from webapp.stages.publication import credentials


@bp.get("/credential")
def credential():
    profile = current_user.profile
    if profile is None:
        return json_error(404, "您的账号没有关联执法人员名录，无法出示执法证件。")
    _, payload = credentials.payload(profile)
    db.session.commit()  # a newly issued token must outlive this request
    response = jsonify(payload)
    response.headers["Cache-Control"] = "private, no-cache"
    return response
