"""User accounts, kept by the office (双随机办)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from webapp.core import audit, errors
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.faces.auth.gate import role_required
from webapp.faces.pages import done
from webapp.stages.accounts import jurisdictions, passwords, sessions
from webapp.stages.accounts.models import Department, User
from webapp.stages.directory.accounts import create_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    full_name = StringField("姓名", validators=[DataRequired("请输入姓名。"), Length(max=64)])
    password = PasswordField("初始密码（至少 10 位，不能是常见密码）", validators=[DataRequired("请输入密码。"), Length(max=200)])
    department = SelectField("部门", validators=[Optional()])
    roles = SelectMultipleField(
        "角色",
        choices=[SelectChoice(r, roles.LABELS[r]) for r in roles.ACCOUNT_ROLES],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
    phone = StringField("电话", validators=[Optional(), Length(max=32)])
    certificate_no = StringField("执法证号（执法人员、专业人员填写）", validators=[Optional(), Length(max=64)])


class ToggleForm(FlaskForm):
    pass


class ResetForm(FlaskForm):
    password = PasswordField("临时密码（至少 10 位）", validators=[DataRequired("请输入临时密码。"), Length(max=200)])


@bp.route("/users", methods=["GET", "POST"])
@role_required(roles.OFFICE_ADMIN)
def users():
    form = UserForm()
    form.department.choices = [SelectChoice("", "（无）")] + [
        SelectChoice(d.code, d.name) for d in db.session.scalars(  # accounts are made in the office's own jurisdiction
            select(Department).where(Department.jurisdiction_id == current_user.jurisdiction_id).order_by(Department.id))
    ]
    if form.validate_on_submit():
        errors.show_again(lambda: _users_page(form))  # a refused account: the form again, as typed
        user = create_user(
            form.username.data, form.full_name.data, form.password.data, form.roles.data,
            form.department.data or None, form.phone.data or None, form.certificate_no.data or None,
            jurisdiction_id=current_user.jurisdiction_id,
        )
        db.session.flush()
        audit.record("user.create", user, username=user.username, roles=sorted(user.roles))
        return done(f"已创建账号“{user.username}”。", "admin.users")
    return _users_page(form)


def _users_page(form: UserForm):
    # The office's jurisdiction's accounts and, for a city or province, those of the jurisdictions below.
    all_users = db.session.scalars(jurisdictions.scope(select(User), User.jurisdiction_id, current_user)
                                   .order_by(User.id)).all()
    return render_template("admin/users.html", form=form, users=all_users, toggle=ToggleForm(), reset=ResetForm())


@bp.route("/users/<int:user_id>/toggle", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def toggle_user(user_id):
    form = ToggleForm()
    user = jurisdictions.run_or_404(User, user_id, current_user)  # a district's accounts are its office's
    if user.id == current_user.id:
        abort(400, "不能停用自己的账号。")
    if form.validate_on_submit():
        user.active = not user.active
        if not user.active:  # a disabled account's open sessions end now, on every device
            sessions.revoke_all(user, "disabled")
        audit.record("user.enable" if user.active else "user.disable", user)
        db.session.commit()
        flash(f"已{'启用' if user.active else '停用'}账号“{user.username}”。", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@role_required(roles.OFFICE_ADMIN)
def reset_password(user_id):
    """A temporary password the office gives the user; every session of the user ends, and the user must choose
    a new password at the next sign-in."""
    user = jurisdictions.run_or_404(User, user_id, current_user)
    form = ResetForm()
    if not form.validate_on_submit():
        flash("请输入临时密码。", "error")
        return redirect(url_for("admin.users"))
    errors.back_to(url_for("admin.users"))
    passwords.reset(user, form.password.data)
    audit.record("user.password_reset", user)
    return done(f"已重置“{user.username}”的密码。该账号在所有设备上的登录已失效，下次登录须修改密码。", "admin.users")
