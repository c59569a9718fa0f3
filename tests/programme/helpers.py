"""Jurisdictions for the programme's tests: 河北省 → 保定市 → 莲池区 and 竞秀区, with the world's departments and
office in 莲池区."""
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.stages.accounts.models import Department, Jurisdiction, User

CHAIN = [("130000", "河北省", "province", None), ("130600", "保定市", "city", "130000"),
         ("130606", "莲池区", "district", "130600"), ("130602", "竞秀区", "district", "130600")]


def jurisdictions() -> dict[str, Jurisdiction]:
    """The four jurisdictions by code, made once."""
    out = {}
    for code, name, level, parent in CHAIN:
        found = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
        if found is None:
            found = Jurisdiction(code=code, name=name, level=level,
                                 parent_id=out[parent].id if parent else None)
            db.session.add(found)
            db.session.flush()
        out[code] = found
    return out


def place_world() -> dict[str, Jurisdiction]:
    """Every department and user of the world in 莲池区 (the office too). Committed."""
    places = jurisdictions()
    lianchi = places["130606"].id
    for d in db.session.scalars(select(Department)):
        d.jurisdiction_id = lianchi
    for u in db.session.scalars(select(User)):
        u.jurisdiction_id = lianchi
    db.session.commit()
    return places
