"""What is public of a draw, and when (commit now, reveal later): the summary that announces no visit, the full
manifest (the enterprises, the teams) once the plan's window has closed or the office disclosed it early, a
department admin's own part before that, and each of these acts as a leaf of the transparency log."""
from collections import Counter
from datetime import timezone

from sqlalchemy import select

from webapp.core import audit, clock, ledger
from webapp.core.extensions import db
from webapp.domain import draw as algo
from webapp.domain import manifest as published
from webapp.stages.draw import DrawRefused, selection
from webapp.stages.draw.models import Draw
from webapp.stages.plans.models import Plan


def plan_summary(plan: Plan) -> dict:
    return {"id": plan.id, "doc_number": plan.doc_number, "title": plan.title,
            "window_start": plan.window_start.isoformat(), "window_end": plan.window_end.isoformat()}


def manifest(draw: Draw, stream: bool = False, chosen: algo.Selection | None = None) -> dict:
    """The manifest as a dict; with `stream`, for `manifest_chunks` (long lists written piece by piece). An entity
    draw's selection is read from its rows, or is `chosen`, as the execution has it in memory."""
    if draw.status != "executed":
        raise DrawRefused(f"第 {draw.id} 号抽取{draw.STATUS_LABELS[draw.status]}，只有已执行的抽取才有清单。")
    plan = db.session.get(Plan, draw.plan_id)
    result = draw.outcome
    if draw.kind == algo.ENTITIES:
        result = dict(result, selected=chosen if chosen is not None else selection.rows(draw.id))
    m = published.manifest(draw.kind, plan_summary(plan), draw.population,
                           draw.population_digest, draw.commitment, draw.nonce, draw.witness, draw.seed,
                           draw.params, result, stream=stream)
    m["draw"] = {"id": draw.id, "attempt": draw.attempt,
                 "prepared_at": _utc(draw.prepared_at), "executed_at": _utc(draw.executed_at)}
    if draw.kind == algo.ENTITIES:
        m["exclusions"] = [
            {"uscc": ex.uscc, "department": c.department.code, "reason": ex.label}
            for c in draw.confirmations for ex in c.exclusions
        ]
    return m


def manifest_chunks(draw: Draw):
    """The manifest's JSON text in pieces, everything read from the database before the first piece."""
    return published.stream_json(manifest(draw, stream=True))


def _utc(moment) -> str | None:
    """A stored moment as ISO 8601 in UTC, whatever zone the database hands it back in (the manifest is hashed)."""
    return clock.aware(moment).astimezone(timezone.utc).isoformat() if moment is not None else None


_LEVELS: dict[tuple[int, str], dict[str, int]] = {}


def population_by_level(draw: Draw) -> dict[str, int]:
    """How many of the frozen population per risk level (the population is frozen: cached by draw and digest)."""
    counts = (draw.outcome or {}).get("counts") if draw.kind == algo.ENTITIES and draw.status == "executed" else None
    if counts:  # counted by the execution: no pass over a 260 MB text
        return dict(sorted((level, c["population"]) for level, c in counts.items() if c["population"]))
    key = (draw.id, draw.population_digest)
    if key not in _LEVELS:
        if len(_LEVELS) > 256:
            _LEVELS.clear()
        text = draw.population  # one "<TAB>level<LF>" per line: counted in C, no tuple per entity
        _LEVELS[key] = dict(sorted((level, n) for level in algo.LEVELS if (n := text.count(f"\t{level}\n"))))
    return _LEVELS[key]


def drawn_by_level(draw: Draw) -> dict[str, int]:
    if draw.status != "executed":
        return {}
    if draw.kind == algo.ENTITIES:
        return draw.outcome["drawn_by_level"]
    return dict(sorted(Counter(row[1] for row in draw.outcome["entities"]).items()))


def disclosed(draw: Draw, today=None) -> bool:
    """Whether the full manifest (the enterprises, the teams) is public: once the plan's inspection window has
    closed, or earlier by the office's audited decision (`disclose`)."""
    if draw.status != "executed":
        return False
    return draw.disclosed_at is not None or draw.plan.window_end < (today or clock.today())


def public_summary(draw: Draw, today=None) -> dict:
    """What the public sees of a draw before its manifest is disclosed: nothing that announces a visit."""
    plan = draw.plan
    out = {
        "draw": draw.id, "attempt": draw.attempt, "kind": draw.kind, "status": draw.status,
        "algorithm": algo.ALGORITHM, "plan": plan_summary(plan),
        "prepared_at": _utc(draw.prepared_at), "executed_at": _utc(draw.executed_at),
        "abandoned_at": _utc(draw.abandoned_at),
        "population_size": draw.population_size, "population_by_level": population_by_level(draw),
        "population_digest": draw.population_digest, "commitment": draw.commitment,
    }
    if draw.status == "executed":
        out.update(witness=draw.witness or "", seed=draw.seed, drawn_by_level=drawn_by_level(draw),
                   drawn=sum(drawn_by_level(draw).values()), manifest_sha256=draw.manifest_sha256,
                   disclosed=disclosed(draw, today), disclosed_after=plan.window_end.isoformat())
        if draw.disclosed_at is not None:
            out["disclosure"] = {"at": _utc(draw.disclosed_at), "reason": draw.disclosure_reason}
    if draw.status == "abandoned":
        out.update(abandon_reason=draw.abandon_reason, nonce=draw.nonce)
    return out


def _log_disclosure(draw: Draw, reason: str, early: bool):
    digest = draw.manifest_sha256 or published.committed_sha256(manifest(draw, stream=True))
    ledger.record_act("manifest.disclosed", f"draw:{draw.id}", sha256=digest, draw=draw.id, plan=draw.plan_id,
                      draw_kind=draw.kind, manifest_sha256=digest, reason=reason, early=early)


def disclose(draw: Draw, reason: str, user=None, ip=None) -> Draw:
    """The office's decision to make a manifest public before the window closes (e.g. a locality's rule to
    publish the list after the draw): with a reason, audited, logged."""
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise DrawRefused("提前公开清单必须写明理由（至少 4 个字）。")
    if draw.status != "executed":
        raise DrawRefused("只有已执行的抽取才有清单。")
    if disclosed(draw):
        raise DrawRefused(f"第 {draw.id} 号抽取的清单已经公开。")
    draw.disclosed_at, draw.disclosure_reason = clock.utcnow(), reason[:2000]
    draw.disclosed_by_id = getattr(user, "id", None)
    audit.record("draw.disclose", draw, user=user, plan=draw.plan_id, kind=draw.kind, reason=draw.disclosure_reason)
    _log_disclosure(draw, draw.disclosure_reason, early=True)
    return draw


def log_due_disclosures(today=None) -> list[Draw]:
    """Log the disclosure of every executed draw whose plan's window has closed (`spotcheck log-sign`, daily)."""
    today = today or clock.today()
    due = db.session.scalars(select(Draw).join(Plan, Plan.id == Draw.plan_id).where(
        Draw.status == "executed", Plan.window_end < today).order_by(Draw.id)).all()
    out = []
    for draw in due:
        if not ledger.has_leaf("manifest.disclosed", f"draw:{draw.id}"):
            _log_disclosure(draw, "检查时限已届满", early=False)
            out.append(draw)
    return out


def department_part(draw: Draw, code: str) -> dict:
    """A department admin's part of the manifest before disclosure: the enterprises, and of the teams only its own
    department's (its roster, conflicts and team leaders). Not verifiable alone: the full manifest is."""
    m = manifest(draw)
    m.pop("nonce", None)
    m["part"] = {"department": code, "note": "本部门部分，不能单独验证；完整清单在检查时限届满后公开。"}
    if draw.kind == algo.INSPECTORS:
        mine = {r["certificate"] for r in m["roster"] if r["department"] == code}
        m["roster"] = [r for r in m["roster"] if r["department"] == code]
        m["conflicts"] = [c for c in m["conflicts"] if c["certificate"] in mine]
        m["teams"] = [t for t in m["teams"] if t["department"] == code]
        m["leaders"] = {u: c for u, c in m["leaders"].items() if c in mine}
    return m


def log_act(kind: str, draw: Draw, **fields):
    """A draw's public act as a leaf of the transparency log (its document: the public summary as it is now)."""
    summary = public_summary(draw)
    ledger.record_act(kind, f"draw:{draw.id}", summary, draw=draw.id, plan=draw.plan_id, draw_kind=draw.kind,
                      population_digest=draw.population_digest, commitment=draw.commitment, **fields)
