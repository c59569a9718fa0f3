"""Where an imported row's entity belongs (一单两库: one directory, each entity in its jurisdiction), and whether
the importing office may write it.

A stored entity stays where it is placed. A new one is placed by its registration authority column (登记机关,
e.g. 保定市竞秀区市场监督管理局), else by its address naming a district or city the platform knows, else by the
USCC's division digits (positions 3–8); a division the platform does not know places it in the importing office.
An office writes the entities of its jurisdiction and those below it; the others' rows are rejected as
"不属本辖区（属 XX区）" and kept, with that jurisdiction, for its office."""
import re

from sqlalchemy import select

from webapp.core.extensions import db
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Jurisdiction

ELSEWHERE = "不属本辖区"


class Placement:
    """For one batch: `home_id` is the importing office's jurisdiction (None: a command-line import, which writes
    everywhere)."""

    def __init__(self, home_id: int | None):
        rows = db.session.execute(select(Jurisdiction.id, Jurisdiction.code, Jurisdiction.name, Jurisdiction.level,
                                         Jurisdiction.parent_id)).all()
        self.home_id = home_id
        self.known = {r.code: r.id for r in rows}
        self._by_division: dict[str | None, int | None] = {}
        self.names = {r.id: r.name for r in rows}
        self.parents = {r.id: r.parent_id for r in rows}
        self.allowed = jurisdictions.below(home_id) if home_id is not None else None
        self.by_name: dict[str, list[int]] = {}
        for r in rows:
            if r.level != "province":
                self.by_name.setdefault(r.name, []).append(r.id)
        for ids in self.by_name.values():  # two 新华区: named with their city in a reason
            for j in ids if len(ids) > 1 else ():
                self.names[j] = self.names.get(self.parents.get(j), "") + self.names[j]
        # Districts before cities (the most specific wins), longer names first.
        ordered = sorted(self.by_name, key=lambda name: (-len(name), name))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def named_in(self, text: str | None) -> int | None:
        """The jurisdiction a text names (an authority or an address), if exactly one fits."""
        if not text or self._pattern is None:
            return None
        found = [m.group(0) for m in self._pattern.finditer(text)]
        named = [(name, j) for name in found for j in self.by_name[name]]
        ids = {j for _, j in named}
        # A name that fits one jurisdiction, or several of which one's city is named too; then the most specific.
        fits = [j for name, j in named if len(self.by_name[name]) == 1 or self.parents.get(j) in ids]
        unique = [j for j in dict.fromkeys(fits) if not any(self.parents.get(k) == j for k in fits)]
        return unique[0] if len(unique) == 1 else None

    def of(self, values: dict, current: dict | None) -> int | None:
        if current is not None and current.get("_jurisdiction_id") is not None:
            return current["_jurisdiction_id"]
        placed = self.named_in(values.get("_authority")) or self.named_in(values.get("address"))
        if placed is None:
            division = jurisdictions.division_of(values.get("uscc"))
            if division not in self._by_division:  # (a file's codes share a few divisions)
                self._by_division[division] = jurisdictions.nearest_id(division, self.known)
            placed = self._by_division[division]
        return placed if placed is not None else self.home_id

    def reason(self, values: dict, current: dict | None) -> str | None:
        """The planner's `place`: records the jurisdiction in `values["_jurisdiction_id"]`; a reason when it is
        not the office's."""
        placed = self.of(values, current)
        values["_jurisdiction_id"] = placed
        if self.allowed is None or placed in self.allowed:
            return None
        return f"{ELSEWHERE}（属 {self.names.get(placed, '其他辖区')}）"
