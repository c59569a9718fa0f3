"""The dashboard's figures counted in SQL, so that a plan of 100,000 records costs what a plan of 100 does: the
records grouped by the facts the dashboard counts (webapp.domain.dashboard, each group a `RecordFacts` with its
`count`), the parts waiting per department, and only the first `LISTED` records at risk of a deadline and of the
understaffed teams, per section, with their totals. A department's section counts a joint record by that
department's part (谁抽查、谁录入、谁公示)."""
import json
from datetime import date

from sqlalchemy import Integer, String, Text, and_, case, cast, false, func, null, or_, select, union_all

from webapp.core.extensions import db
from webapp.domain import dashboard as dash
from webapp.domain.status import PART_DONE, PartStatus, RecordStatus, overall
from webapp.stages.directory.models import Entity
from webapp.stages.plans.models import Plan
from webapp.stages.records.models import InspectionRecord, RecordMember
from webapp.stages.review import parts as review_parts
from webapp.stages.review import service as review
from webapp.stages.review.models import ReviewPart

LISTED = 50  # records listed per section and list; the rest are counted

R = InspectionRecord
SUBMITTED = R.submitted_at.is_not(None)


def _members(plan_id: int, own: int | None):
    """(record, department) pairs of the plan's teams, one row each; team sizes beside them."""
    pairs = (select(RecordMember.record_id, RecordMember.department_id).distinct()
             .join(R, R.id == RecordMember.record_id).where(R.plan_id == plan_id))
    if own is not None:
        pairs = pairs.where(RecordMember.department_id == own)
    return pairs.subquery("rm")


def _teams(plan_id: int):
    return (select(RecordMember.record_id, func.count().label("size")).join(R, R.id == RecordMember.record_id)
            .where(R.plan_id == plan_id).group_by(RecordMember.record_id).subquery("team"))


def _seen(part_status):
    """A department's view of a record's status: its part's (domain.status.overall of that part alone)."""
    return case((part_status == PartStatus.RETURNED, RecordStatus.RETURNED.value),
                (part_status.in_((PartStatus.SUBMITTED, PartStatus.WITHDRAWN)), RecordStatus.SUBMITTED.value),
                (part_status == PartStatus.APPROVED, RecordStatus.APPROVED.value),
                (part_status == PartStatus.PUBLISHED, RecordStatus.PUBLISHED.value),
                else_=R.status)


class Board:
    """One plan as the dashboard counts it, for the office (`own` None) or one department."""

    def __init__(self, plan: Plan, own: int | None):
        self.plan, self.own = plan, own
        review_parts.materialise(plan.id)  # parts of records from before parts existed, so that they are counted
        self.rm, self.team = _members(plan.id, own), _teams(plan.id)
        self.part = ReviewPart.__table__.alias("part")
        self._codes: dict[str | None, tuple] = {}

    # ---- the records, grouped by their facts -----------------------------------------------------------------
    def _grouped(self, by_department: bool):
        """A query of rows (section, record status, part status, risk level, submitted, late, sync due, result
        codes as text, team size, understaffed, number of records)."""
        grouped = (Entity.risk_level, SUBMITTED, R.late, R.sync_due, cast(R.result_codes, Text), self.team.c.size,
                   R.understaffed, R.status)
        if by_department:
            heads = (self.rm.c.department_id, R.status, self.part.c.status)
            grouped += (self.rm.c.department_id, self.part.c.status)
        else:
            heads = (cast(null(), Integer), R.status, cast(null(), String))
        query = (select(*heads, *grouped[:7], func.count())  # one row a record (a department's: a pair)
                 .join(Entity, Entity.id == R.entity_id)
                 .outerjoin(self.team, self.team.c.record_id == R.id)
                 .where(R.plan_id == self.plan.id))
        if by_department:
            query = self._by_department(query)
        elif self.own is not None:
            query = query.where(R.id.in_(select(self.rm.c.record_id)))
        return query.group_by(*grouped)

    def _sections(self, queries):
        """The office's and the departments' variants of a query in one statement (UNION ALL)."""
        sections = [queries(by_department) for by_department in ((False, True) if self.own is None else (True,))]
        return sections[0] if len(sections) == 1 else union_all(*sections)

    def _by_department(self, query):
        return (query.join(self.rm, self.rm.c.record_id == R.id)
                .outerjoin(self.part, and_(self.part.c.record_id == R.id,
                                           self.part.c.department_id == self.rm.c.department_id)))

    def _facts(self, row) -> dash.RecordFacts:
        _, status, part_status, risk, submitted, late, due, codes, size, understaffed, n = row
        if codes not in self._codes:
            self._codes[codes] = tuple(json.loads(codes)) if codes else ()
        return dash.RecordFacts(
            id=0, entity="", status=overall([part_status]) if part_status else status, risk_level=risk,
            submitted=bool(submitted), late=bool(late), sync_due=due, result_codes=self._codes[codes],
            understaffed=bool(understaffed), team_size=size or 0, count=n)

    def facts(self) -> dict[int | None, list[dash.RecordFacts]]:
        """Section (None: all departments, for the office; else a department's id) → its grouped facts."""
        by: dict[int | None, list[dash.RecordFacts]] = {}
        for row in db.session.execute(self._sections(self._grouped)):
            by.setdefault(row[0], []).append(self._facts(row))
        return by

    # ---- the first records of a list, per section ------------------------------------------------------------
    def _listed(self, condition, order):
        """The first LISTED records of each section meeting `condition` (a function of the department's view of
        the status), as RecordFacts by section."""
        size = func.coalesce(self.team.c.size, 0)

        def ranked(by_department: bool):
            status = _seen(self.part.c.status) if by_department else R.status
            section = self.rm.c.department_id if by_department else cast(null(), Integer)
            rank = func.row_number().over(
                partition_by=self.rm.c.department_id if by_department else None, order_by=order(status))
            inner = (select(section.label("section"), R.id, Entity.name, status.label("status"), Entity.risk_level,
                            SUBMITTED.label("submitted"), R.late, R.sync_due, size.label("size"), R.understaffed,
                            rank.label("rank"))
                     .join(Entity, Entity.id == R.entity_id)
                     .outerjoin(self.team, self.team.c.record_id == R.id)
                     .where(R.plan_id == self.plan.id, condition(status, size)))
            inner = self._by_department(inner) if by_department else inner
            if not by_department and self.own is not None:
                inner = inner.where(R.id.in_(select(self.rm.c.record_id)))
            inner = inner.subquery()
            return select(inner).where(inner.c.rank <= LISTED)

        listed = self._sections(ranked).subquery()
        out: dict[int | None, list[dash.RecordFacts]] = {}
        for row in db.session.execute(select(listed).order_by(listed.c.section, listed.c.rank)):
            out.setdefault(row.section, []).append(dash.RecordFacts(
                id=row.id, entity=row.name, status=row.status, risk_level=row.risk_level,
                submitted=bool(row.submitted), late=bool(row.late), sync_due=row.sync_due,
                understaffed=bool(row.understaffed), team_size=row.size))
        return out

    def understaffed(self):
        """Section → the first understaffed teams (flagged at the draw, or fewer than two on the team)."""
        return self._listed(lambda status, size: or_(R.understaffed.is_(True), size < dash.MIN_TEAM),
                            lambda status: R.id)

    def at_risk(self, facts, today: date, calendar, publication, warn_workdays: int = 5):
        """Section → (the first records at risk of a deadline as domain AtRisk, their total), from the dues that
        the grouped facts show to be at risk."""
        window_end = self.plan.window_end
        risky = {s: dash.deadline_risks(f, today, calendar, window_end, publication, warn_workdays)
                 for s, f in facts.items()}
        entry_dues = sorted({a.due for risks in risky.values() for a in risks if a.kind == "entry"})
        publishing = any(a.kind == "publication" for risks in risky.values() for a in risks)
        due = func.coalesce(R.sync_due, window_end)

        def condition(status, size):
            waiting = and_(~SUBMITTED, due.in_(entry_dues)) if entry_dues else false()
            if publishing:
                waiting = or_(waiting, and_(SUBMITTED, status != RecordStatus.PUBLISHED.value))
            return waiting

        def order(status):
            return (case((SUBMITTED, publication.due), else_=due), R.id)

        listed = self._listed(condition, order) if entry_dues or publishing else {}
        return {s: (dash.deadline_risks(listed.get(s, []), today, calendar, window_end, publication, warn_workdays),
                    sum(a.record.count for a in risky[s]))
                for s in facts}

    def parts_waiting(self, names: dict[int, str] | None = None) -> list[dict]:
        """Parts per department and status (review.service.waiting_rows' shape; `names` the departments' names
        known already), and beside them, in the same statement, the number of records complete."""
        query = (select(ReviewPart.department_id, ReviewPart.status, func.count(), self._complete().scalar_subquery())
                 .join(R, R.id == ReviewPart.record_id).where(R.plan_id == self.plan.id)
                 .group_by(ReviewPart.department_id, ReviewPart.status))
        if self.own is not None:
            query = query.where(ReviewPart.department_id == self.own)
        counts: dict[int, dict[str, int]] = {}
        self.completed = 0
        for department_id, status, n, complete in db.session.execute(query):
            counts.setdefault(department_id, dict.fromkeys(PartStatus, 0))[PartStatus(status)] += n
            self.completed = complete
        return review.waiting_rows(counts, names)

    def _complete(self):
        has = select(ReviewPart.id).where(ReviewPart.record_id == R.id)
        open_ = has.where(ReviewPart.status.not_in([s.value for s in PART_DONE]))
        query = select(func.count()).select_from(R).where(R.plan_id == self.plan.id, has.exists(), ~open_.exists())
        if self.own is not None:
            query = query.where(R.id.in_(select(self.rm.c.record_id)))
        return query

    def complete(self) -> int:
        """Records (of the department, for one) with every part published or withdrawn (counted with the parts
        waiting when those were asked for first)."""
        completed = getattr(self, "completed", None)
        return completed if completed is not None else db.session.scalar(self._complete())
