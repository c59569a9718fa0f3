"""What is stored now, in the import planner's representation (`domain.imports.plan`'s `lookup`): one query per
chunk of keys. Names starting with "_" are context (never compared), e.g. an entity's jurisdiction. Each asks
`session` (by default the request's or job's own; a preview on PostgreSQL asks one of its own, preview_rows)."""
from datetime import date

from sqlalchemy import String, bindparam, func, select, tuple_

from webapp.core.extensions import db
from webapp.stages.directory.models import Conflict, Entity, InspectorProfile

ENTITY_FIELDS = ("uscc", "name", "legal_rep", "address", "registered_on", "annual_report_years", "status",
                 "risk_level", "category", "phone", "checksum_override")
INSPECTOR_FIELDS = ("certificate_no", "name", "department_id", "valid_from", "valid_to", "phone", "qualifications",
                    "is_expert", "status")


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def key_values(statement, session=None) -> dict:
    return {k: v for k, v in (session or db.session).execute(statement)}


def _among(column, keys):
    """`column IN keys` for well-formed USCCs: on PostgreSQL one text the server splits (`= ANY`), not a thousand
    bound values for SQLAlchemy to render and psycopg to parse, nor an array psycopg dumps in Python."""
    if db.engine.dialect.name == "postgresql":
        return column == func.any(func.string_to_array(bindparam("keys", ",".join(keys), type_=String), ","))
    return column.in_(keys)


_DATE_AT = ENTITY_FIELDS.index("registered_on")


def _lookup_entities(keys, session=None):
    out = {}
    if keys:
        cols = [getattr(Entity, f) for f in ENTITY_FIELDS]
        query = select(*cols, Entity.jurisdiction_id).where(_among(Entity.uscc, keys))
        for row in (session or db.session).execute(query):
            current = dict(zip(ENTITY_FIELDS, row))
            if row[_DATE_AT] is not None:
                current["registered_on"] = row[_DATE_AT].isoformat()
            current["_jurisdiction_id"] = row[-1]
            out[row[0]] = current
    return out


def _lookup_inspectors(keys, session=None):
    out = {}
    if keys:
        query = select(InspectorProfile).where(InspectorProfile.certificate_no.in_(keys))
        for p in (session or db.session).scalars(query):
            current = {f: _iso(getattr(p, f)) for f in INSPECTOR_FIELDS}
            current["qualifications"] = list(p.qualifications or []) or None
            out[p.certificate_no] = current
    return out


def _lookup_conflicts(keys, session=None):
    session = session or db.session
    pairs = [k.split("|", 1) for k in keys]
    certs = {c for c, _ in pairs}
    codes = {u for _, u in pairs}
    inspectors = {
        r.certificate_no: r for r in session.execute(
            select(InspectorProfile.id, InspectorProfile.certificate_no, InspectorProfile.department_id)
            .where(InspectorProfile.certificate_no.in_(certs))
        )
    } if certs else {}
    entities = key_values(select(Entity.uscc, Entity.id).where(Entity.uscc.in_(codes)), session) if codes else {}
    existing = {}
    ids = [(inspectors[c].id, entities[u]) for c, u in pairs if c in inspectors and u in entities]
    if ids:
        for c in session.scalars(select(Conflict).where(tuple_(Conflict.inspector_id, Conflict.entity_id).in_(ids))):
            existing[(c.inspector_id, c.entity_id)] = c.reason
    out = {}
    for key, (cert, code) in zip(keys, pairs):
        inspector = inspectors.get(cert)
        entity_id = entities.get(code)
        pair = (inspector.id, entity_id) if inspector and entity_id else None
        out[key] = {
            "_inspector": inspector is not None,
            "_department_id": inspector.department_id if inspector else None,
            "_entity": entity_id is not None,
            "_new": pair not in existing,
            "reason": existing.get(pair),
            "certificate_no": cert,
            "uscc": code,
        }
    return out


LOOKUPS = {"entities": _lookup_entities, "inspectors": _lookup_inspectors, "conflicts": _lookup_conflicts}


