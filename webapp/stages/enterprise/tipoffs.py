"""举报: the public reports what it saw (no sign-in), gets a receipt number and a private follow code; the report
goes to the department in charge (the matter's department, in the enterprise's jurisdiction), which accepts,
forwards, opens a targeted check (定向检查, never part of the random draw) or closes it with a reason, within a
working-day deadline. The reporter's contact is for the handling department's eyes only."""
import hashlib
import hmac
import secrets
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select

from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.domain import uscc as uscc_rules
from webapp.domain.refusal import Refused
from webapp.stages.accounts.jurisdictions import visible_ids
from webapp.stages.accounts.models import Department, Jurisdiction
from webapp.stages.directory.models import CheckItem, Entity
from webapp.stages.enterprise import attachments, limits
from webapp.stages.enterprise.models import TargetedCheck, TipOff, TipOffEvent
from webapp.stages.plans.calendar import current_calendar

RESPONSE_WORKDAYS = 5  # ENTERPRISE_TIPOFF_WORKDAYS
MAX_WHAT = 3000
CODE_CHARS = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACTIONS = {"accept": "受理", "forward": "转办", "targeted": "开展定向检查", "close": "办结"}
STATUS_OF = {"accept": "accepted", "forward": "forwarded", "targeted": "targeted", "close": "closed"}
TOO_MANY = "提交过于频繁，请明天再试；紧急情况请直接拨打部门电话或 12345 热线。"
LOOKUP_TOO_MANY = "查询次数过多，请一小时后再试。"
NOT_FOUND = "受理编号或查询码不正确。"


class TipOffRefused(Refused):
    status = 422


def _sha(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def matters() -> list[CheckItem]:
    """What a report can be about: the departments' active check items (抽查事项), by department."""
    return db.session.scalars(select(CheckItem).where(CheckItem.active.is_(True))
                              .order_by(CheckItem.department_id, CheckItem.position, CheckItem.id)).all()


def find_entity(text: str) -> Entity | None:
    """The directory's entity by a USCC, or by its exact name when only one has it; else None (free text)."""
    text = (text or "").strip()
    if not text:
        return None
    code = text.upper().replace(" ", "")
    if uscc_rules.is_well_formed(code):
        found = db.session.scalar(select(Entity).where(Entity.uscc == code))
        if found:
            return found
    named = db.session.scalars(select(Entity).where(Entity.name == text).limit(2)).all()
    return named[0] if len(named) == 1 else None


def _seen_on(value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise TipOffRefused("发现时间的格式不正确。") from None
    if day > clock.today() or day < clock.today() - timedelta(days=3 * 365):
        raise TipOffRefused("发现时间应在近三年内，且不晚于今天。")
    return day


def file(enterprise: str, item_id, what: str, seen_on: str | None, contact: str | None, files, ip: str):
    """(TipOff, follow code shown once). Refused before anything is written: limits, then the fields, then files."""
    if not limits.allowed("tipoff", "", ip):
        raise TipOffRefused(TOO_MANY, 429)
    enterprise = (enterprise or "").strip()
    if not enterprise:
        raise TipOffRefused("请填写被举报的企业（机构）名称或统一社会信用代码。")
    if len(enterprise) > 200:
        raise TipOffRefused("企业名称不超过 200 字。")
    try:
        item = db.session.get(CheckItem, int(item_id)) if item_id else None
    except (TypeError, ValueError):
        item = None
    if item is None or not item.active:
        raise TipOffRefused("请选择举报事项。")
    what = (what or "").strip()
    if len(what) < 10:
        raise TipOffRefused("请具体描述看到的情况（不少于 10 字）。")
    if len(what) > MAX_WHAT:
        raise TipOffRefused(f"情况描述不超过 {MAX_WHAT} 字。")
    day = _seen_on(seen_on)
    contact = (contact or "").strip() or None
    if contact and len(contact) > 100:
        raise TipOffRefused("联系方式不超过 100 字。")
    verified = attachments.verify(files)
    entity = find_entity(enterprise)
    department = item.department
    jurisdiction_id = getattr(entity, "jurisdiction_id", None) or department.jurisdiction_id
    days = current_app.config.get("ENTERPRISE_TIPOFF_WORKDAYS", RESPONSE_WORKDAYS)
    due = current_calendar().add_workdays(clock.today(), days)
    code = "".join(secrets.choice(CODE_CHARS) for _ in range(10))
    tip = TipOff(receipt=f"JB{clock.today():%Y%m%d}{secrets.randbelow(10 ** 6):06d}", code_sha256=_sha(code),
                 entity=entity, entity_text=entity.name if entity else enterprise, check_item_id=item.id,
                 matter=item.title[:200], what=what, seen_on=day, contact=contact, department_id=department.id,
                 jurisdiction_id=jurisdiction_id, response_due=due.due, response_due_provisional=due.provisional,
                 ip=(ip or "-")[:64])
    db.session.add(tip)
    db.session.flush()
    stored = attachments.store(verified, "tip_off", tip.id, department.id, jurisdiction_id)
    # No contact, no text in the audit trail: the trail is exported; the row holds them for the handler only.
    audit.record("tipoff.filed", tip, department_id=department.id, attachments=len(stored))
    limits.note("tipoff", "", ip, True)  # commits the report with its count
    return tip, code


def lookup(receipt: str, code: str, ip: str) -> TipOff:
    receipt = (receipt or "").strip().upper()[:20]
    if not limits.allowed("lookup", receipt, ip):
        raise TipOffRefused(LOOKUP_TOO_MANY, 429)
    tip = db.session.scalar(select(TipOff).where(TipOff.receipt == receipt))
    ok = tip is not None and hmac.compare_digest(tip.code_sha256, _sha(code or ""))
    limits.note("lookup", receipt, ip, ok)
    if not ok:
        raise TipOffRefused(NOT_FOUND, 404)
    return tip


def inbox(user, status: str | None = None) -> list[TipOff]:
    query = select(TipOff).where(TipOff.department_id == user.department_id).order_by(TipOff.response_due, TipOff.id)
    if status == "open":
        query = query.where(TipOff.status != "closed")
    return db.session.scalars(query).all()


def handle(tip: TipOff, user, action: str, note: str, to_department_id=None) -> TipOffEvent:
    """Caller commits. Forwarding hands the report (and its contact) to the other department, with a new
    deadline; a closed report stays closed."""
    if action not in ACTIONS:
        raise TipOffRefused("请选择处理方式。")
    if tip.status == "closed":
        raise TipOffRefused("该举报已办结。", 409)
    note = (note or "").strip()
    if len(note) > MAX_WHAT:
        raise TipOffRefused(f"处理说明不超过 {MAX_WHAT} 字。")
    if action in ("close", "forward") and not note:
        raise TipOffRefused("办结或转办时请写明理由，举报人凭查询码可以看到。")
    if action == "targeted" and any(c.department_id == tip.department_id for c in tip.targeted_checks):
        raise TipOffRefused("本部门已就该举报开展定向检查。", 409)
    target = None
    if action == "forward":
        try:
            target = db.session.get(Department, int(to_department_id)) if to_department_id else None
        except (TypeError, ValueError):
            target = None
        if target is None or target.id == tip.department_id:
            raise TipOffRefused("请选择要转交的其他部门。")
    event = TipOffEvent(tip_off=tip, action=action, note=note, department_id=tip.department_id,
                        to_department_id=target.id if target else None, jurisdiction_id=tip.jurisdiction_id,
                        by_id=user.id)
    db.session.add(event)
    tip.status = STATUS_OF[action]
    if note:
        tip.reply = note
    if target is not None:
        tip.department_id = target.id
        tip.jurisdiction_id = target.jurisdiction_id or tip.jurisdiction_id
        days = current_app.config.get("ENTERPRISE_TIPOFF_WORKDAYS", RESPONSE_WORKDAYS)
        due = current_calendar().add_workdays(clock.today(), days)
        tip.response_due, tip.response_due_provisional = due.due, due.provisional
    check = _open_targeted(tip, user, note) if action == "targeted" else None
    audit.record("tipoff." + action, tip, user=user, to_department_id=event.to_department_id,
                 targeted_check=check.id if check else None)
    return event


def _open_targeted(tip: TipOff, user, note: str) -> TargetedCheck:
    """定向检查 on the report: recorded as such, by the department in charge; no draw reads this table."""
    check = TargetedCheck(tip_off=tip, kind="tipoff", entity_id=tip.entity_id, entity_text=tip.entity_text,
                          matter=tip.matter, note=note, department_id=tip.department_id,
                          jurisdiction_id=tip.jurisdiction_id, opened_by_id=user.id)
    db.session.add(check)
    db.session.flush()
    return check


def counts(user) -> list[dict]:
    """The office dashboard's lines: reports per jurisdiction and department (all, open, overdue), within the
    jurisdictions the user sees. Numbers only: nothing of the reports themselves."""
    today = clock.today()
    seen = sorted(visible_ids(user))
    open_ = TipOff.status != "closed"
    rows = db.session.execute(
        select(Jurisdiction.name, Department.name, func.count(TipOff.id),
               func.sum(db.case((open_, 1), else_=0)),
               func.sum(db.case(((open_) & (TipOff.response_due < today), 1), else_=0)),
               func.sum(db.case((TipOff.id.in_(select(TargetedCheck.tip_off_id)), 1), else_=0)))
        .join(Department, Department.id == TipOff.department_id)
        .outerjoin(Jurisdiction, Jurisdiction.id == TipOff.jurisdiction_id)
        # a user placed in no jurisdiction yet (before the province work is done) sees the unplaced rows only
        .where(TipOff.jurisdiction_id.in_(seen) if seen else TipOff.jurisdiction_id.is_(None))
        .group_by(Jurisdiction.name, Department.name)
        .order_by(Jurisdiction.name, Department.name)
    ).all()
    return [{"jurisdiction": j or "—", "department": d, "total": n, "open": int(o or 0), "overdue": int(late or 0),
             "targeted": int(t or 0)} for j, d, n, o, late, t in rows]
