"""The dashboard's figures read from the counts kept as records change (webapp.stages.publication.dashboard_counts),
so that a plan of 100,000 records costs what a plan of 100 does: the records grouped by the facts the dashboard
counts (webapp.domain.dashboard, each group a `RecordFacts` with its `count`), the parts waiting per department and
the records complete in the same statement; then, in one more, only the first `LISTED` records at risk of a deadline
and of the understaffed teams, per section. A department's section counts a joint record by that department's part
(谁抽查、谁录入、谁公示)."""
from datetime import date

from sqlalchemy import func, literal, select, union_all

from webapp.core.extensions import db
from webapp.domain import dashboard as dash
from webapp.domain.status import PartStatus, RecordStatus, overall
from webapp.stages.directory.models import Entity
from webapp.stages.plans.models import Plan
from webapp.stages.publication.dashboard_counts import DashboardFact, unkey
from webapp.stages.publication.dashboard_reads import counts as kept_counts
from webapp.stages.review import service as review

LISTED = 50  # records listed per section and list; the rest are counted

F = DashboardFact
UNDERSTAFFED, ENTRY, UNDATED, PUBLICATION = range(4)


def _facts(fact: dict, n: int) -> dash.RecordFacts:
    return dash.RecordFacts(
        id=0, entity="", status=overall([fact["part"]]) if fact["part"] else fact["status"],
        risk_level=fact["risk_level"], submitted=fact["submitted"], late=fact["late"],
        sync_due=date.fromisoformat(fact["sync_due"]) if fact["sync_due"] else None,
        result_codes=tuple(fact["result_codes"]), understaffed=fact["understaffed"], team_size=fact["team_size"],
        count=n)


def per_plan(plan_ids) -> tuple[dict[int, dict[int, dict[str, int]]], dict[int, int]]:
    """From the kept counts (a few hundred rows per plan, whatever its size): plan id → department id → part
    status → parts, and plan id → its records complete (every part published or withdrawn)."""
    parts: dict[int, dict[int, dict[str, int]]] = {}
    complete: dict[int, int] = {}
    for plan_id, section, key, n in kept_counts(plan_ids):
        fact = unkey(key)
        if section and fact["part"]:
            row = parts.setdefault(plan_id, {}).setdefault(section, dict.fromkeys(PartStatus, 0))
            row[PartStatus(fact["part"])] += n
        elif not section and fact["complete"]:
            complete[plan_id] = complete.get(plan_id, 0) + n
    return parts, complete


def parts_per_department(plan_ids) -> dict[int, dict[str, int]]:
    """Department id → part status → parts over these plans (the review queue's 各部门待办)."""
    counts: dict[int, dict[str, int]] = {}
    for departments in per_plan(plan_ids)[0].values():
        for department, row in departments.items():
            total = counts.setdefault(department, dict.fromkeys(PartStatus, 0))
            for status, n in row.items():
                total[status] += n
    return counts


class Board:
    """One plan as the dashboard counts it, for the office (`own` None) or one department."""

    def __init__(self, plan: Plan, own: int | None):
        self.plan, self.own = plan, own
        self.by: dict[int | None, list[dash.RecordFacts]] = {}
        self.parts: dict[int, dict[str, int]] = {}
        self.completed = 0
        for _, section, key, n in kept_counts([plan.id], own):
            fact = unkey(key)
            self.by.setdefault(section or None, []).append(_facts(fact, n))
            if section and fact["part"]:
                self.parts.setdefault(section, dict.fromkeys(PartStatus, 0))[PartStatus(fact["part"])] += n
            if fact["complete"] and (section == 0) == (own is None):
                self.completed += n

    def facts(self) -> dict[int | None, list[dash.RecordFacts]]:
        """Section (None: all departments, for the office; else a department's id) → its grouped facts."""
        return self.by

    def parts_waiting(self, names: dict[int, str] | None = None) -> list[dict]:
        """Parts per department and status (review.service.waiting_rows' shape; `names` the departments' names
        known already)."""
        return review.waiting_rows(self.parts, names)

    def complete(self) -> int:
        """Records (of the department, for one) with every part published or withdrawn."""
        return self.completed

    # ---- the first records of the lists, per section, in one statement ----------------------------------------
    def lists(self, today: date, calendar, publication, warn_workdays: int = 5):
        """(section → (the first records at risk of a deadline as domain AtRisk, their total),
        section → the first understaffed teams: flagged at the draw, or fewer than two on the team)."""
        window_end = self.plan.window_end
        risky = {s: dash.deadline_risks(f, today, calendar, window_end, publication, warn_workdays)
                 for s, f in self.by.items()}
        wanted = []
        for section, risks in risky.items():
            s = section or 0
            wanted.append(self._first(UNDERSTAFFED, s, F.short.is_(True)))
            dues = sorted({a.due for a in risks if a.kind == "entry" and a.record.sync_due})
            if dues:
                wanted.append(self._first(ENTRY, s, F.submitted.is_(False), F.sync_due.in_(dues), by_due=True))
            if any(a.kind == "entry" and a.record.sync_due is None for a in risks):
                wanted.append(self._first(UNDATED, s, F.submitted.is_(False), F.sync_due.is_(None)))
            if any(a.kind == "publication" for a in risks):
                wanted.append(self._first(PUBLICATION, s, F.submitted.is_(True),
                                          func.coalesce(F.part, F.status) != RecordStatus.PUBLISHED.value))
        found: dict[tuple, list[dash.RecordFacts]] = {}
        listed = union_all(*wanted).subquery() if len(wanted) > 1 else wanted[0].subquery() if wanted else None
        for row in db.session.execute(select(listed)) if listed is not None else ():
            found.setdefault((row.list, row.section or None), []).append(dash.RecordFacts(
                id=row.record_id, entity=row.name, status=overall([row.part]) if row.part else row.status,
                risk_level=row.risk_level, submitted=row.submitted, late=row.late, sync_due=row.sync_due,
                understaffed=row.understaffed, team_size=row.team_size))
        at_risk = {}
        for s, risks in risky.items():
            candidates = [f for kind in (ENTRY, UNDATED, PUBLICATION) for f in found.get((kind, s), [])]
            first = dash.deadline_risks(candidates, today, calendar, window_end, publication, warn_workdays)
            at_risk[s] = (first[:LISTED], sum(a.record.count for a in risks))
        return at_risk, {s: sorted(found.get((UNDERSTAFFED, s), []), key=lambda f: f.id) for s in self.by}

    def _first(self, kind: int, section: int, *conditions, by_due: bool = False):
        order = (F.sync_due, F.record_id) if by_due else (F.record_id,)
        return select(literal(kind).label("list"), F.section, F.record_id, Entity.name, F.status, F.part,
                      F.risk_level, F.submitted, F.late, F.sync_due, F.team_size, F.understaffed) \
            .join(Entity, Entity.id == F.entity_id) \
            .where(F.plan_id == self.plan.id, F.section == section, *conditions) \
            .order_by(*order).limit(LISTED).subquery().select()
