"""The enterprise's own page: reached by its record's token (the QR on the paper 一企一表) plus its USCC, both
needed, tries limited per token and per address; and who on the department side may handle what."""
import hmac

from sqlalchemy import select

from webapp.core.extensions import db
from webapp.domain import roles
from webapp.domain import uscc as uscc_rules
from webapp.domain.refusal import Refused
from webapp.stages.accounts.jurisdictions import visible_ids
from webapp.stages.enterprise import limits
from webapp.stages.records.models import InspectionRecord

WRONG = "二维码与统一社会信用代码不匹配。请核对纸质《联合检查记录表》上的二维码和本单位的统一社会信用代码。"
TOO_MANY = "尝试次数过多，请一小时后再试；如有疑问，请联系检查部门。"


class AccessRefused(Refused):
    status = 403


def open_record(token: str, uscc: str, ip: str) -> InspectionRecord:
    """The record of `token` if `uscc` is its enterprise's; the same refusal for a wrong token and a wrong USCC
    (a guess learns nothing), and a limit on failed tries per token and per address."""
    token = (token or "").strip()[:64]
    uscc = (uscc or "").strip().upper().replace(" ", "")[:18]
    if not uscc_rules.is_well_formed(uscc):
        raise AccessRefused("请输入 18 位统一社会信用代码（数字和大写字母）。", 422)
    if not limits.allowed("enterprise", token, ip):
        raise AccessRefused(TOO_MANY, 429)
    record = db.session.scalar(select(InspectionRecord).where(InspectionRecord.token == token))
    ok = record is not None and hmac.compare_digest(record.entity.uscc.encode(), uscc.encode())
    limits.note("enterprise", token, ip, ok)
    if not ok:
        raise AccessRefused(WRONG)
    return record


def handles(user, row) -> bool:
    """The department in charge of `row` (its admin or reviewer) handles it: 谁管辖、谁负责. The row's jurisdiction
    must be one the user sees (a user not yet placed in one is judged by the department alone)."""
    if user is None or not user.is_authenticated or user.department_id != row.department_id:
        return False
    if not user.has_role(roles.DEPT_ADMIN, roles.REVIEWER):
        return False
    return row.jurisdiction_id is None or user.jurisdiction_id is None or row.jurisdiction_id in visible_ids(user)
