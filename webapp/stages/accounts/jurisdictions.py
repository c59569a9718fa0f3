"""Which jurisdictions a user may see: the one their roles are held in and every one below it.

Every query of office data filters by `visible_ids(user)` (`scope(query, Model.jurisdiction_id, user)`); a
table that belongs to an office carries `jurisdiction_id` (FK `jurisdictions.id`); a row fetched by its id goes
through `owned_or_404`, so that guessing the id of another district's plan, record or entity answers 404.

Where an entity belongs comes from its USCC: positions 3–8 are the registering authority's division code
(GB 32100), mapped to the nearest jurisdiction the platform knows (the district, else its city, else its
province)."""
from flask import abort
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.stages.accounts.models import Jurisdiction

LEVELS = {"province": "省", "city": "市", "district": "区县"}

# The demo's and a fresh database's chain (GB/T 2260), and the default home of rows made before jurisdictions.
HEBEI = ("130000", "河北省", "province", None)
BAODING = ("130600", "保定市", "city", "130000")
LIANCHI = ("130606", "莲池区", "district", "130600")
JINGXIU = ("130602", "竞秀区", "district", "130600")
DEFAULT_CHAIN = (HEBEI, BAODING, LIANCHI)


def below(jurisdiction_id: int) -> set[int]:
    """The jurisdiction and all its descendants (a province has two levels below it: a handful of queries)."""
    found, frontier = {jurisdiction_id}, {jurisdiction_id}
    while frontier:
        frontier = set(db.session.scalars(select(Jurisdiction.id).where(Jurisdiction.parent_id.in_(frontier))))
        frontier -= found
        found |= frontier
    return found


def visible_ids(user) -> set[int]:
    """The jurisdictions whose data `user` may read: none for a user placed nowhere. Cached on the user object
    for the request (the user loader makes a new one per request)."""
    if user is None or getattr(user, "jurisdiction_id", None) is None:
        return set()
    cached = getattr(user, "_visible_ids", None)
    if cached is not None and cached[0] == user.jurisdiction_id:
        return cached[1]
    found = below(user.jurisdiction_id)
    try:
        user._visible_ids = (user.jurisdiction_id, found)
    except AttributeError:  # a user-like object that takes no attributes
        pass
    return found


def scope(query, column, user):
    """`query` narrowed to the rows whose `column` (a jurisdiction id) `user` may see."""
    return query.where(column.in_(sorted(visible_ids(user))))


def sees(user, jurisdiction_id: int | None) -> bool:
    return jurisdiction_id is not None and jurisdiction_id in visible_ids(user)


def is_above_district(user) -> bool:
    """A city or province user: sees and reports over the districts below."""
    j = user.jurisdiction if user is not None and getattr(user, "jurisdiction_id", None) else None
    return j is not None and j.level != "district"


def owner_of(obj) -> int | None:
    """The jurisdiction a row belongs to: its own column, else its plan's, record's, draw's, department's or
    inspector's (each stage's rows hang from one of these)."""
    seen = 0
    while obj is not None and seen < 6:
        if isinstance(obj, Jurisdiction):
            return obj.id
        if "jurisdiction_id" in type(obj).__dict__ or hasattr(type(obj), "jurisdiction_id"):
            return obj.jurisdiction_id
        for parent in ("plan", "record", "draw", "confirmation", "inspector", "department", "batch"):
            if hasattr(type(obj), parent):
                obj = getattr(obj, parent)
                break
        else:
            return None
        seen += 1
    return None


def check(obj, user):
    """404 unless `user` may see `obj`: another district's row does not exist for them."""
    if obj is None or not sees(user, owner_of(obj)):
        abort(404)
    return obj


def owned_or_404(model, ident, user):
    """`db.get_or_404`, then the jurisdiction check (`check`)."""
    return check(db.session.get(model, ident), user)


def runs(user, jurisdiction_id: int | None) -> bool:
    """Whether `user` runs (edits, draws, publishes, administers) what belongs to `jurisdiction_id`: only its own
    jurisdiction's office does. A city sees and reports over its districts but runs only its own (city-wide) rows."""
    own = getattr(user, "jurisdiction_id", None)
    return own is not None and own == jurisdiction_id


def run_check(obj, user):
    """`check`, then 403 unless the row is the user's own jurisdiction's (`runs`): the city reads a district's
    plan, the district's office runs it."""
    check(obj, user)
    if not runs(user, owner_of(obj)):
        abort(403)
    return obj


def run_or_404(model, ident, user):
    """A row to write: 404 if the user may not see it, 403 if they see it from above (`run_check`)."""
    return run_check(db.session.get(model, ident), user)


# --- the table itself --------------------------------------------------------------------------------------

def ensure(code: str, name: str, level: str, parent_code: str | None) -> Jurisdiction:
    """The jurisdiction of that code, made (with its parent, which must exist) if missing."""
    found = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if found is None:
        parent = by_code(parent_code) if parent_code else None
        found = Jurisdiction(code=code, name=name, level=level, parent=parent)
        db.session.add(found)
        db.session.flush()
    return found


def ensure_chain(*chain) -> Jurisdiction:
    """The chain (province first) made where missing; returns the last one."""
    last = None
    for row in chain or DEFAULT_CHAIN:
        last = ensure(*row)
    return last


def default() -> Jurisdiction:
    """莲池区 under 保定市 under 河北省: where the seed's office and everything made before jurisdictions live."""
    return ensure_chain(*DEFAULT_CHAIN)


def full_name(jurisdiction: Jurisdiction | None) -> str:
    """How a page names a jurisdiction: the district with its city (保定市莲池区), a city or a province alone; the
    deployment's default (`DEFAULT_CHAIN`) for None (a visitor who is not signed in)."""
    if jurisdiction is None:
        return "".join(row[1] for row in DEFAULT_CHAIN[1:])
    parent = jurisdiction.parent
    if jurisdiction.level == "district" and parent is not None and parent.level == "city":
        return parent.name + jurisdiction.name
    return jurisdiction.name


def by_code(code: str) -> Jurisdiction | None:
    return db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))


def division_of(uscc: str | None) -> str | None:
    """Positions 3–8 of a USCC: the registering authority's division code (GB 32100)."""
    if not uscc or len(uscc) < 8 or not uscc[2:8].isdigit():
        return None
    return uscc[2:8]


def candidates(code: str) -> list[str]:
    """The division and the levels above it, most specific first: 130606 → 130606, 130600, 130000."""
    return list(dict.fromkeys([code, code[:4] + "00", code[:2] + "0000"]))


def nearest_id(code: str | None, known: dict[str, int]) -> int | None:
    """The id of the nearest known jurisdiction of a division code, from a {code: id} map."""
    if not code:
        return None
    for c in candidates(code):
        if c in known:
            return known[c]
    return None


def known_codes() -> dict[str, int]:
    return dict(db.session.execute(select(Jurisdiction.code, Jurisdiction.id)).all())


def entity_jurisdiction(context):
    """Column default for entities: placed by the USCC's division code, unless the writer placed it."""
    code = division_of(context.get_current_parameters().get("uscc"))
    if code is None:
        return None
    table = Jurisdiction.__table__
    known = dict(context.connection.execute(
        select(table.c.code, table.c.id).where(table.c.code.in_(candidates(code)))).all())
    return nearest_id(code, known)
