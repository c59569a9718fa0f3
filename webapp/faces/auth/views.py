from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.core import audit, errors
from webapp.core.extensions import csrf, db
from webapp.stages.accounts import passwords, sessions, throttle
from webapp.stages.accounts.models import User

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=200)])
    remember = BooleanField("在本机保持登录（30 天）")


class ChangePasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码。"), Length(max=200)])
    new = PasswordField(f"新密码（至少 {passwords.MIN_LENGTH} 位）", validators=[DataRequired("请输入新密码。")])
    again = PasswordField("再次输入新密码", validators=[EqualTo("new", "两次输入的新密码不一致。")])


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not send the user elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


def _after_sign_in(user: User):
    if user.must_change_password:
        return redirect(url_for("auth.change_password", next=request.args.get("next") or None))
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return _after_sign_in(current_user)
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        ip = request.remote_addr or "-"
        if throttle.is_locked(username, ip):
            flash("尝试次数过多，请稍后再试。", "error")
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(select(User).where(User.username == username))
        if passwords.verify(user, form.password.data):  # one hash checked, known name or not
            throttle.note(username, ip, True)
            sessions.start(user, remember=form.remember.data)
            login_user(user, remember=form.remember.data)
            audit.record("login", user, user=user)
            db.session.commit()
            return _after_sign_in(user)
        throttle.note(username, ip, False)
        flash("用户名或密码不正确。", "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit.record("logout", current_user)
    sessions.revoke_current(current_user)
    db.session.commit()
    logout_user()
    flash("已退出登录。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/logout/later", methods=["POST"])
@csrf.exempt  # the token in the body is the proof; it can only end the one session it names
def signout_later():
    """A sign-out the phone made without network, sent when the network returned ({"token": signout_token}).
    The browser may by then carry another user's cookie: only the named session ends."""
    body = request.get_json(silent=True) or {}
    mine = sessions.current_row(current_user) if current_user.is_authenticated else None
    row = sessions.revoke_by_token(body.get("token") if isinstance(body.get("token"), str) else "")
    if row is None:
        return errors.json_error(400, "退出凭据无效。")
    audit.record("logout", row.user, user=row.user, offline=True)
    db.session.commit()
    if mine is not None and mine is row:  # this browser's own cookie: drop it too
        logout_user()
        flash("已退出登录。", "info")
    return jsonify({"signed_out": True})


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        errors.show_again(lambda: (render_template("auth/password.html", form=form), 422))
        user = current_user._get_current_object()
        remember = bool(getattr(sessions.current_row(user), "remember", False))
        passwords.change(user, form.current.data, form.new.data)  # ends every session, this one too
        sessions.start(user, remember=remember)                    # …and this browser goes on in a new one
        login_user(user, remember=remember)
        audit.record("user.password_change", user)
        db.session.commit()
        flash("密码已修改。其他设备上的登录已失效，需用新密码重新登录。", "success")
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/password.html", form=form), 400 if request.method == "POST" else 200
