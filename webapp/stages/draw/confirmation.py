"""The departments' 比对和确认 of an entity draw: exclude (with a reason), undo, confirm within the working days."""
from webapp.core import audit, clock
from webapp.core.extensions import db
from webapp.stages.directory.models import Entity
from webapp.stages.draw import selection
from webapp.stages.draw.ceremony import DrawRefused
from webapp.stages.draw.models import DrawConfirmation, DrawExclusion


def exclude(conf: DrawConfirmation, entity: Entity, reason_code: str, note: str, user) -> DrawExclusion:
    note = (note or "").strip()
    if conf.confirmed_at is not None:
        raise DrawRefused("本部门已确认名单，不能再排除。")
    if reason_code not in DrawExclusion.REASONS:
        raise DrawRefused("请选择排除理由。")
    if reason_code == "other" and len(note) < 2:
        raise DrawRefused("理由为“其他”时必须写明具体情况。")
    if not selection.contains(conf.draw_id, entity.uscc):
        raise DrawRefused("该对象不在本次抽中的名单中。")
    if any(ex.entity_id == entity.id for ex in conf.exclusions):
        raise DrawRefused(f"“{entity.name}”已被本部门排除。")
    ex = DrawExclusion(entity_id=entity.id, uscc=entity.uscc, reason_code=reason_code, note=note[:300],
                       created_by_id=user.id)
    conf.exclusions.append(ex)
    db.session.flush()
    audit.record("draw.exclude", conf, user=user, uscc=entity.uscc, reason=ex.label)
    return ex


def remove_exclusion(conf: DrawConfirmation, ex: DrawExclusion, user):
    if conf.confirmed_at is not None:
        raise DrawRefused("本部门已确认名单，不能再修改。")
    audit.record("draw.exclude_undo", conf, user=user, uscc=ex.uscc, reason=ex.label)
    conf.exclusions.remove(ex)


def confirm(conf: DrawConfirmation, user):
    if conf.confirmed_at is not None:
        raise DrawRefused("本部门已确认过名单。")
    today = clock.today()
    conf.confirmed_at, conf.confirmed_on, conf.confirmed_by_id = clock.utcnow(), today, user.id
    conf.late = today > conf.deadline
    audit.record("draw.confirm", conf, user=user, excluded=len(conf.exclusions), late=conf.late)

