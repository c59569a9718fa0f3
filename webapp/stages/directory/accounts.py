"""Creating user accounts, linked to their entry in the inspector roster: for the admin page and `spotcheck create-user`."""
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.domain import roles
from webapp.domain.refusal import Refused
from webapp.stages.accounts import passwords
from webapp.stages.accounts.models import Department, User
from webapp.stages.directory.models import InspectorProfile


class AccountError(Refused):
    """A user-facing reason (in Chinese) why the account cannot be created."""

    status = 422


def create_user(username, full_name, password, role_codes, department_code=None, phone=None,
                certificate_no=None, jurisdiction_id=None) -> User:
    """`jurisdiction_id`: where the account's roles are held (an office admin creates accounts in its own); the
    department is looked up there. None: the department's, found by its code alone (the command line)."""
    username = (username or "").strip()
    role_codes = set(role_codes)
    if not username or not full_name:
        raise AccountError("用户名和姓名不能为空。")
    if passwords.problem(password, username):
        raise AccountError(passwords.problem(password, username))
    unknown = role_codes - set(roles.ACCOUNT_ROLES)
    if unknown or not role_codes:
        raise AccountError("请选择有效的角色。")
    if db.session.scalar(select(User).where(User.username == username)):
        raise AccountError(f"用户名“{username}”已被使用。")
    department = None
    if department_code:
        query = select(Department).where(Department.code == department_code)
        if jurisdiction_id is not None:
            query = query.where(Department.jurisdiction_id == jurisdiction_id)
        department = db.session.scalar(query.order_by(Department.id).limit(1))
        if department is None:
            raise AccountError(f"部门“{department_code}”不存在。")
    if role_codes & set(roles.DEPARTMENT_ROLES) and department is None:
        raise AccountError("部门管理员、执法人员、专业人员和审核人须属于一个部门。")
    user = User(username=username, full_name=full_name.strip(), department=department, phone=phone,
                jurisdiction_id=department.jurisdiction_id if department is not None else jurisdiction_id)
    user.set_password(password)
    user.set_roles(role_codes)
    if certificate_no:
        profile = db.session.scalar(
            select(InspectorProfile).where(InspectorProfile.certificate_no == certificate_no.strip())
        )
        if profile is None:
            raise AccountError(f"执法证号“{certificate_no}”不在执法人员名录库中。")
        if profile.user_id is not None:
            raise AccountError(f"执法证号“{certificate_no}”已关联其他账号。")
        profile.user = user
    db.session.add(user)
    return user
