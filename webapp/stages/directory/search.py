"""Finding an entity at a province's size: a USCC prefix (ix_entities_uscc_prefix, text_pattern_ops) or a part of
the name (ix_entities_name_trgm, pg_trgm GIN, on PostgreSQL; LIKE on SQLite)."""
import re

from sqlalchemy import or_

from webapp.domain import normalise
from webapp.stages.directory.models import Entity

_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2,18}$")


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def uscc_prefix(code: str):
    return Entity.uscc.like(_escaped(code) + "%", escape="\\")


def matching(q: str):
    """The condition for a search box's text: the name contains it, or (when it can be one) the USCC starts
    with it."""
    name = Entity.name.ilike(f"%{_escaped(q)}%", escape="\\")
    code = normalise.clean_code(q)
    return or_(uscc_prefix(code), name) if _CODE.match(code) else name
