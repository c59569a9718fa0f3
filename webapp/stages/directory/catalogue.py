"""The item catalogue (抽查事项清单): every save of a department's item is a new version, kept as it was saved."""
from sqlalchemy import func, select

from webapp.core import audit
from webapp.core.extensions import db
from webapp.stages.accounts.models import Department
from webapp.stages.directory.models import CheckItem, CheckItemVersion, CheckPoint

FIELDS = ("title", "methods", "legal_basis", "required_qualification", "national_code", "frequency", "ratio",
          "active")


def snapshot(item: CheckItem) -> dict:
    out = {name: getattr(item, name) for name in FIELDS}
    out["methods"] = list(item.methods or [])
    out["frequency"] = item.frequency or ""
    out["points"] = [p.text for p in item.points]
    return out


def save(item: CheckItem, after: dict, user=None) -> bool:
    """Apply `after` (FIELDS and points) to the item: a new item is version 1, a changed one the next version;
    each version is kept. False when nothing changed."""
    before = snapshot(item) if item.id else None
    if before == after:
        return False
    for name in FIELDS:
        setattr(item, name, after[name])
    item.points = [CheckPoint(position=i, text=t) for i, t in enumerate(after["points"])]
    if item.id is None:
        item.version = 1
        item.position = (db.session.scalar(select(func.max(CheckItem.position))
                                           .where(CheckItem.department_id == item.department_id)) or 0) + 1
        db.session.add(item)
    else:
        item.version = (item.version or 1) + 1  # plans keep the copy of the version they were made with
    db.session.flush()
    department = db.session.get(Department, item.department_id)
    db.session.add(CheckItemVersion(
        item_id=item.id, department_id=item.department_id, jurisdiction_id=department.jurisdiction_id,
        version=item.version, check_points=list(after["points"]), active=item.active,
        saved_by_id=getattr(user, "id", None), **item.content()))
    db.session.flush()
    audit.record("item.save" if before else "item.create", item, user=user, version=item.version, before=before,
                 after=after)
    return True


def versions(item_id: int) -> list[CheckItemVersion]:
    return db.session.scalars(select(CheckItemVersion).where(CheckItemVersion.item_id == item_id)
                              .order_by(CheckItemVersion.version.desc())).all()


def record_initial(items) -> None:
    """Version 1 of items made outside `save` (the demo's seed items)."""
    db.session.flush()
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    for item in items:
        db.session.add(CheckItemVersion(
            item_id=item.id, department_id=item.department_id,
            jurisdiction_id=departments[item.department_id].jurisdiction_id, version=item.version or 1,
            check_points=[p.text for p in item.points], active=item.active, **item.content()))
