from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from webapp.core import audit
from webapp.core.extensions import db
from webapp.stages.accounts import throttle
from webapp.stages.accounts.models import User

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。"), Length(max=200)])
    remember = BooleanField("在本机保持登录")


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not send the user elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip()
        ip = request.remote_addr or "-"
        if throttle.is_locked(username, ip):
            flash("尝试次数过多，请稍后再试。", "error")
            return render_template("auth/login.html", form=form), 429
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None and user.active and user.check_password(form.password.data):
            throttle.note(username, ip, True)
            login_user(user, remember=form.remember.data)
            audit.record("login", user, user=user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
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
    db.session.commit()
    logout_user()
    flash("已退出登录。", "info")
    return redirect(url_for("auth.login"))
