"""The inspector's credential (亮证): the full-screen page and its PNG, and revocation by the office or the admin
of the inspector's department."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.core import clock
from webapp.core import qrcodes as images
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.faces.auth.gate import role_required
from webapp.faces.department.scope import visible_department_ids
from webapp.stages.accounts import jurisdictions
from webapp.stages.directory.models import InspectorProfile
from webapp.stages.publication import credentials
from webapp.stages.publication.models import InspectorCredential

bp = Blueprint("credentials", __name__)


def _own_profile() -> InspectorProfile:
    """The signed-in inspector's roster entry, or 404 for an account without one."""
    profile = current_user.profile
    if profile is None:
        abort(404, "您的账号没有关联执法人员名录，无法出示执法证件。")
    return profile


@bp.route("/qr/credential")
@login_required
def my_credential():
    """亮证: full screen on the inspector's phone; the QR is inline (data: URL), so a cached copy works offline."""
    profile = _own_profile()
    cred, payload = credentials.payload(profile)
    db.session.commit()  # a newly issued token must outlive this request
    return render_template("qr/credential.html", cred=cred, profile=profile, payload=payload,
                           valid=credentials.validity(cred, clock.today()))


@bp.route("/qr/credential.png")
@login_required
def my_credential_png():
    cred = credentials.active_credential(_own_profile())
    db.session.commit()
    return images.png_response(images.png(images.credential_url(cred)), "credential.png")


# --- Revocation: the office, or the admin of the inspector's department --------------------------------------

@bp.route("/qr/credentials")
@role_required(roles.OFFICE_ADMIN, roles.DEPT_ADMIN)
def credential_admin():
    query = select(InspectorProfile).order_by(InspectorProfile.department_id, InspectorProfile.name)
    if not current_user.has_role(roles.OFFICE_ADMIN):
        query = query.where(InspectorProfile.department_id == current_user.department_id)
    else:  # the office: its jurisdiction's departments and those below
        query = query.where(InspectorProfile.department_id.in_(visible_department_ids()))
    profiles = db.session.scalars(query).all()
    live = {
        c.inspector_id: c for c in db.session.scalars(
            select(InspectorCredential).where(
                InspectorCredential.revoked_at.is_(None),
                InspectorCredential.inspector_id.in_([p.id for p in profiles]),
            )
        )
    }
    return render_template("qr/credential_admin.html", profiles=profiles, live=live)


@bp.route("/qr/credentials/<int:profile_id>/revoke", methods=["POST"])
@role_required(roles.OFFICE_ADMIN, roles.DEPT_ADMIN)
def revoke_credential(profile_id):
    profile = db.get_or_404(InspectorProfile, profile_id)
    if not jurisdictions.sees(current_user, profile.department.jurisdiction_id):
        abort(404)
    if not credentials.can_manage(current_user, profile):
        abort(403, "只能作废本部门执法人员的证件二维码。")
    cred = credentials.active_credential(profile, create=False)
    if cred is None:
        flash(f"{profile.name} 目前没有有效的证件二维码。", "info")
    else:
        credentials.revoke(cred, current_user, reason=(request.form.get("reason") or "").strip()[:200])
        db.session.commit()
        flash(f"已作废 {profile.name} 的证件二维码；本人再次打开“亮证”时将生成新的二维码。", "success")
    return redirect(url_for("credentials.credential_admin"))
