"""Who may see a record and its media: its team (drawn or appointed), reviewers of a department on the team,
and the office of the record's jurisdiction or one above it. Shared by the field app, review, print and media
views."""
from webapp.domain import roles
from webapp.stages.accounts.jurisdictions import sees


def can_see_record(user, record) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(roles.OFFICE_ADMIN) and sees(user, record.plan.jurisdiction_id):
        return True
    if record.member_for(user) is not None:
        return True
    departments = {m.department_id for m in record.members}
    return user.department_id in departments and user.has_role(roles.REVIEWER, roles.DEPT_ADMIN)
