"""Lists that hold at a province's size: pages by keyset (the last id shown, never OFFSET) and counts that stop
being exact past a threshold ("约 111,000 条", from the planner's estimate on PostgreSQL)."""
import json
from dataclasses import dataclass

from sqlalchemy import func, select, text

from webapp.core.extensions import db

EXACT_UP_TO = 10_000


@dataclass
class Page:
    items: list
    after: int | None  # the cursor this page started after (None: the first page)
    next_after: int | None  # the cursor of the next page (None: this is the last)
    count: int
    estimated: bool

    @property
    def count_label(self) -> str:
        if not self.estimated:
            return f"{self.count:,} 条"
        digits = max(len(str(self.count)) - 3, 0)  # three significant figures
        rounded = round(self.count, -digits) if digits else self.count
        return f"约 {rounded:,} 条"


def estimate(query) -> int:
    """The planner's row estimate for `query` (PostgreSQL); an exact count elsewhere."""
    if db.engine.dialect.name != "postgresql":
        return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    compiled = query.order_by(None).compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    plan = db.session.execute(text(f"EXPLAIN (FORMAT JSON) {compiled}")).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def count(query, exact_up_to: int = EXACT_UP_TO) -> tuple[int, bool]:
    """(count, estimated): exact while at most `exact_up_to` rows match (a bounded scan), else the estimate."""
    bounded = query.order_by(None).limit(exact_up_to + 1).subquery()
    exact = db.session.scalar(select(func.count()).select_from(bounded))
    if exact <= exact_up_to:
        return exact, False
    return max(estimate(query), exact), True


def page(query, key, after: int | None, per_page: int, exact_up_to: int = EXACT_UP_TO) -> Page:
    """`query` filtered but not ordered; `key` the unique integer column it pages by (newest last)."""
    rows = query.order_by(key)
    if after is not None:
        rows = rows.where(key > after)
    items = db.session.scalars(rows.limit(per_page + 1)).all()
    more = len(items) > per_page
    items = items[:per_page]
    n, estimated = count(query, exact_up_to)
    return Page(items, after, getattr(items[-1], key.key) if more else None, n, estimated)
