"""QR pages: the inspector's full-screen credential and its JSON for the field app, credential revocation,
check-in posters, and PNG images of the codes."""
from datetime import date

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from ..access import can_see_record
from ..auth import role_required
from ..domain import roles
from ..extensions import db
from ..models import Entity, InspectionRecord, InspectorCredential, InspectorProfile, Plan
from . import bp, credentials, images

POSTER_ROLES = (roles.OFFICE_ADMIN, roles.DEPT_ADMIN)


def _png(data: bytes, filename: str):
    response = make_response(data)
    response.headers["Content-Type"] = "image/png"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _credential_payload(profile):
    cred = credentials.active_credential(profile)
    db.session.commit()  # a newly issued token must outlive this request
    url = images.credential_url(cred)
    return cred, {
        "token": cred.token,
        "url": url,
        "qr_png_data_url": images.data_url(url),
        "name": profile.name,
        "department": profile.department.name,
        "certificate": profile.certificate_no,
        "valid_from": profile.valid_from.isoformat() if profile.valid_from else None,
        "valid_to": profile.valid_to.isoformat() if profile.valid_to else None,
        "state": credentials.validity(cred, date.today()).state,
    }


@bp.route("/qr/credential")
@login_required
def my_credential():
    """亮证: full screen on the inspector's phone; the QR is inline (data: URL), so a cached copy works offline."""
    profile = current_user.profile
    if profile is None:
        abort(404, "您的账号没有关联执法人员名录，无法出示执法证件。")
    cred, payload = _credential_payload(profile)
    return render_template("qr/credential.html", cred=cred, profile=profile, payload=payload,
                           valid=credentials.validity(cred, date.today()))


@bp.route("/api/field/credential")
def api_credential():
    if not current_user.is_authenticated:
        return jsonify(error="请重新登录", login="/login?next=/field/"), 401
    profile = current_user.profile
    if profile is None:
        return jsonify(error="您的账号没有关联执法人员名录，无法出示执法证件。"), 404
    _, payload = _credential_payload(profile)
    response = jsonify(payload)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/qr/credential.png")
@login_required
def my_credential_png():
    profile = current_user.profile
    if profile is None:
        abort(404, "您的账号没有关联执法人员名录，无法出示执法证件。")
    cred = credentials.active_credential(profile)
    db.session.commit()
    return _png(images.png(images.credential_url(cred)), "credential.png")


# --- Revocation: the office, or the admin of the inspector's department --------------------------------------

@bp.route("/qr/credentials")
@role_required(roles.OFFICE_ADMIN, roles.DEPT_ADMIN)
def credential_admin():
    query = select(InspectorProfile).order_by(InspectorProfile.department_id, InspectorProfile.name)
    if not current_user.has_role(roles.OFFICE_ADMIN):
        query = query.where(InspectorProfile.department_id == current_user.department_id)
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
    if not credentials.can_manage(current_user, profile):
        abort(403, "只能作废本部门执法人员的证件二维码。")
    cred = credentials.active_credential(profile, create=False)
    if cred is None:
        flash(f"{profile.name} 目前没有有效的证件二维码。", "info")
    else:
        credentials.revoke(cred, current_user, reason=(request.form.get("reason") or "").strip()[:200])
        db.session.commit()
        flash(f"已作废 {profile.name} 的证件二维码；本人再次打开“亮证”时将生成新的二维码。", "success")
    return redirect(url_for("qr.credential_admin"))


# --- Check-in posters (扫码入企) --------------------------------------------------------------------------------

def _poster(entity: Entity) -> dict:
    url = images.checkin_url(entity)
    return {"entity": entity, "url": url, "qr": images.data_url(url, box_size=10)}


@bp.route("/qr/posters/")
@role_required(*POSTER_ROLES)
def posters_index():
    q = (request.args.get("q") or "").strip()[:100]
    plans = db.session.execute(
        select(Plan, func.count(InspectionRecord.id))
        .join(InspectionRecord, InspectionRecord.plan_id == Plan.id)
        .group_by(Plan.id).order_by(Plan.window_start.desc())
    ).all()
    found = []
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = db.session.scalars(
            select(Entity).where(or_(Entity.name.like(pattern, escape="\\"),
                                     Entity.uscc.like(pattern.upper(), escape="\\")))
            .order_by(Entity.name).limit(30)
        ).all()
    return render_template("qr/posters_index.html", plans=plans, q=q, found=found)


@bp.route("/qr/posters/entity/<int:entity_id>")
@role_required(*POSTER_ROLES)
def entity_poster(entity_id):
    entity = db.get_or_404(Entity, entity_id)
    return render_template("qr/posters.html", posters=[_poster(entity)], title=entity.name, plan=None, four=False)


@bp.route("/qr/posters/plan/<int:plan_id>")
@role_required(*POSTER_ROLES)
def plan_posters(plan_id):
    plan = db.get_or_404(Plan, plan_id)
    entities = db.session.scalars(
        select(Entity).join(InspectionRecord, InspectionRecord.entity_id == Entity.id)
        .where(InspectionRecord.plan_id == plan.id).order_by(Entity.name)
    ).all()
    four = request.args.get("layout") == "4"  # four A5-sized posters on each A4 sheet
    return render_template("qr/posters.html", posters=[_poster(e) for e in entities],
                           title=f"{plan.doc_number} 扫码入企二维码", plan=plan, four=four)


@bp.route("/qr/checkin/<int:entity_id>.png")
@role_required(*POSTER_ROLES)
def checkin_png(entity_id):
    entity = db.get_or_404(Entity, entity_id)
    return _png(images.png(images.checkin_url(entity), box_size=10), f"checkin-{entity.uscc}.png")


@bp.route("/qr/record/<token>.png")
@login_required
def record_png(token):
    record = db.session.scalar(select(InspectionRecord).where(InspectionRecord.token == token))
    if record is None:
        abort(404)
    if not can_see_record(current_user, record):
        abort(403)
    return _png(images.png(images.record_url(record)), "record.png")
