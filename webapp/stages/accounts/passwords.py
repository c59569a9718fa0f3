"""Passwords: the rules a new one must meet, checking one at sign-in in the same time whether or not the
account exists, and changing or resetting one (which ends every session of the account)."""
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from webapp.domain.refusal import Refused
from webapp.stages.accounts import sessions
from webapp.stages.accounts.models import User

MIN_LENGTH = 10
MAX_LENGTH = 200
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")  # the top 10,000, from Django's list (see its header)


class PasswordRefused(Refused):
    status = 422


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def problem(password: str, username: str) -> str | None:
    """Why `password` is not acceptable for `username`, in Chinese; None when it is."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位。"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 位。"
    if username and password.strip().lower() == username.strip().lower():
        return "密码不能与用户名相同。"
    if password.strip().lower() in common_passwords():
        return "这个密码过于常见，容易被猜中，请换一个。"
    return None


def require_acceptable(password: str, username: str):
    reason = problem(password, username)
    if reason:
        raise PasswordRefused(reason)


@cache
def _dummy_hash() -> str:
    # Same method and cost as a real one, so that checking against it takes as long.
    return generate_password_hash("not-a-password-of-anyone")


def verify(user: User | None, password: str) -> bool:
    """Exactly one password hash is checked whatever the case (unknown name, disabled account, wrong or right
    password), so the time of the answer does not tell which usernames exist."""
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return False
    good = check_password_hash(user.password_hash, password or "")
    return good and user.active


def set_password(user: User, password: str, *, must_change: bool = False, why: str = "password"):
    """A new password (already accepted by `require_acceptable`): every session of the user ends."""
    user.password_hash = generate_password_hash(password)
    user.must_change_password = must_change
    sessions.revoke_all(user, why)


def change(user: User, current: str, new: str):
    """The user's own change: the current password first; the new one must differ from it."""
    if not check_password_hash(user.password_hash, current or ""):
        raise PasswordRefused("当前密码不正确。")
    require_acceptable(new, user.username)
    if check_password_hash(user.password_hash, new):
        raise PasswordRefused("新密码不能与当前密码相同。")
    set_password(user, new, why="password")


def reset(user: User, temporary: str):
    """The office's reset: a temporary password the user must change at the next sign-in."""
    require_acceptable(temporary, user.username)
    set_password(user, temporary, must_change=True, why="reset")
