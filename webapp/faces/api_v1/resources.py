"""The resources of /api/v1: plans, draws and their public manifests, records, published results, follow-ups,
directory entities and imports. Every list is cursor-paginated (ids ascending) and scoped to the token's
jurisdiction and the ones below it."""
import base64
import binascii
import json
from datetime import date

from flask import Response, g, jsonify, request
from sqlalchemy import select

from webapp.core import clock
from webapp.core.extensions import db
from webapp.faces.api_v1 import ApiError, bp, need
from webapp.stages.directory import importing
from webapp.stages.directory.models import Entity, ImportBatch
from webapp.stages.draw import disclosure
from webapp.stages.draw.models import Draw
from webapp.stages.integration import results as published
from webapp.stages.plans.models import Plan, PlanDepartment
from webapp.stages.publication.models import FollowUpTask
from webapp.stages.records.models import InspectionRecord

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
MAX_UPLOAD = 20 * 1024 * 1024


# --- parameters ------------------------------------------------------------------------------------------------

def _int(name: str, low: int = 1, high: int = 2**31 - 1) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"参数 {name} 应为整数。", "invalid_parameter") from None
    if not low <= value <= high:
        raise ApiError(400, f"参数 {name} 应在 {low} 到 {high} 之间。", "invalid_parameter")
    return value


def _date(name: str) -> date | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else _bad_date(name)
    except ValueError:
        return _bad_date(name)


def _bad_date(name):
    raise ApiError(400, f"参数 {name} 应为日期 YYYY-MM-DD。", "invalid_parameter")


def _cursor() -> int | None:
    raw = request.args.get("cursor")
    if not raw:
        return None
    try:
        value = int(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ApiError(400, "参数 cursor 无效：请使用上一页返回的 next_cursor。", "invalid_cursor") from None
    if not 0 <= value < 2**31:
        raise ApiError(400, "参数 cursor 无效：请使用上一页返回的 next_cursor。", "invalid_cursor")
    return value


def _encode(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def _visible() -> set[int]:
    """The token's jurisdictions, narrowed by ?jurisdiction=<GB/T 2260 code> when given."""
    visible = g.api_principal.visible_ids()
    code = request.args.get("jurisdiction")
    if code:
        if not (len(code) == 6 and code.isdigit()):
            raise ApiError(400, "参数 jurisdiction 应为 6 位行政区划代码（GB/T 2260）。", "invalid_parameter")
        visible = visible & (published.jurisdiction_scope(code) or set())
    return visible


def page(items, key, limit):
    """The answer of a list: `limit` items and the cursor of the next page (null on the last)."""
    more = len(items) > limit
    items = items[:limit]
    return jsonify(items=[x for x in items], next_cursor=_encode(key(items[-1])) if more and items else None)


def _limit() -> int:
    return _int("limit", 1, MAX_LIMIT) or DEFAULT_LIMIT


# --- plans and draws -------------------------------------------------------------------------------------------

def _one_page(q, model, jurisdiction_col):
    """`q` within the token's jurisdictions, from the cursor on, by id: one more row than the limit (a next page?)."""
    limit, after = _limit(), _cursor()
    q = q.where(jurisdiction_col.in_(sorted(_visible()))).order_by(model.id).limit(limit + 1)
    if after is not None:
        q = q.where(model.id > after)
    return q, limit


def plan_json(p: Plan) -> dict:
    return {"id": p.id, "doc_number": p.doc_number, "title": p.title, "issuer": p.issuer,
            "issued_on": clock.iso(p.issued_on), "window_start": p.window_start.isoformat(),
            "window_end": p.window_end.isoformat(), "status": p.status,
            "lead_department_id": p.lead_department_id, "jurisdiction_id": p.jurisdiction_id,
            "departments": [{"id": d.department_id, "name": d.department.name} for d in p.departments]}


def _in_reach(row, jurisdiction_id, refusal: str):
    """`row` if it exists within the token's jurisdictions (`jurisdiction_id` reads its jurisdiction); else a 404."""
    if row is None or jurisdiction_id(row) not in g.api_principal.visible_ids():
        raise ApiError(404, refusal)
    return row


def _plan_or_404(plan_id: int) -> Plan:
    return _in_reach(db.session.get(Plan, plan_id), lambda p: p.jurisdiction_id,
                     f"抽查计划 {plan_id} 不存在或不在本令牌的辖区内。")


@bp.get("/plans")
def plans():
    need("plans:read")
    q, limit = _one_page(select(Plan), Plan, Plan.jurisdiction_id)
    department = _int("department")
    if department is not None:
        q = q.where(Plan.id.in_(select(PlanDepartment.plan_id).where(PlanDepartment.department_id == department)))
    since, until = _date("from"), _date("to")
    if since is not None:
        q = q.where(Plan.window_end >= since)
    if until is not None:
        q = q.where(Plan.window_start <= until)
    return page([plan_json(p) for p in db.session.scalars(q)], lambda x: x["id"], limit)


@bp.get("/plans/<int:plan_id>")
def plan(plan_id):
    need("plans:read")
    return jsonify(plan_json(_plan_or_404(plan_id)))


def draw_json(d: Draw) -> dict:
    return {"id": d.id, "plan_id": d.plan_id, "kind": d.kind, "attempt": d.attempt, "status": d.status,
            "commitment": d.commitment, "population_size": d.population_size,
            "executed_at": clock.iso(d.executed_at), "manifest_sha256": d.manifest_sha256,
            "disclosed": disclosure.disclosed(d)}


def _draw_or_404(draw_id: int) -> Draw:
    return _in_reach(db.session.get(Draw, draw_id), lambda d: d.plan.jurisdiction_id,
                     f"抽取 {draw_id} 不存在或不在本令牌的辖区内。")


@bp.get("/draws")
def draws():
    need("plans:read")
    q, limit = _one_page(select(Draw).join(Plan, Plan.id == Draw.plan_id), Draw, Plan.jurisdiction_id)
    plan_id = _int("plan")
    if plan_id is not None:
        q = q.where(Draw.plan_id == plan_id)
    return page([draw_json(d) for d in db.session.scalars(q)], lambda x: x["id"], limit)


@bp.get("/draws/<int:draw_id>")
def draw(draw_id):
    need("plans:read")
    return jsonify(draw_json(_draw_or_404(draw_id)))


@bp.get("/draws/<int:draw_id>/manifest")
def draw_manifest(draw_id):
    """What the public draw page shows: before the window closes only the summary (commitment, seed, SHA-256 of
    the manifest), after it the full manifest. The token does not lift the reveal-later rule."""
    need("plans:read")
    d = _draw_or_404(draw_id)
    if d.status != "executed":
        raise ApiError(404, f"第 {d.id} 号抽取{d.STATUS_LABELS[d.status]}，只有已执行的抽取才有清单。", "not_executed")
    if not disclosure.disclosed(d):
        return jsonify(disclosed=False, summary=disclosure.public_summary(d), manifest=None)
    m = disclosure.manifest(d)
    return Response(json.dumps({"disclosed": True, "summary": disclosure.public_summary(d), "manifest": m},
                               ensure_ascii=False), mimetype="application/json")


# --- records, results, follow-ups ------------------------------------------------------------------------------

@bp.get("/records")
def records():
    need("records:read")
    q, limit = _one_page(select(InspectionRecord, Entity).join(Plan, Plan.id == InspectionRecord.plan_id)
                         .join(Entity, Entity.id == InspectionRecord.entity_id), InspectionRecord, Plan.jurisdiction_id)
    plan_id = _int("plan")
    if plan_id is not None:
        q = q.where(InspectionRecord.plan_id == plan_id)
    since, until = _date("from"), _date("to")
    if since is not None:
        q = q.where(InspectionRecord.inspected_on >= since)
    if until is not None:
        q = q.where(InspectionRecord.inspected_on <= until)
    items = [{"id": r.id, "plan_id": r.plan_id, "uscc": e.uscc, "name": e.name, "status": r.status,
              "status_label": r.status_label, "inspected_on": clock.iso(r.inspected_on)}
             for r, e in db.session.execute(q).all()]
    return page(items, lambda x: x["id"], limit)


@bp.get("/results")
def results():
    """Published results, one per enterprise and department, in the national layout's terms."""
    need("results:read")
    limit = _limit()
    rows = published.published(_visible(), _int("department"), _date("from"), _date("to"), _cursor(), limit + 1)
    items = [dict(r.as_dict(), part_id=r.part_id) for r in rows]
    return page(items, lambda x: x["part_id"], limit)


@bp.get("/follow-ups")
def follow_ups():
    need("results:read")
    q, limit = _one_page(select(FollowUpTask, InspectionRecord, Entity)
                         .join(InspectionRecord, InspectionRecord.id == FollowUpTask.record_id)
                         .join(Plan, Plan.id == InspectionRecord.plan_id)
                         .join(Entity, Entity.id == InspectionRecord.entity_id), FollowUpTask, Plan.jurisdiction_id)
    department = _int("department")
    if department is not None:
        q = q.where(FollowUpTask.department_id == department)
    status = request.args.get("status")
    if status:
        if status not in ("open", "closed"):
            raise ApiError(400, "参数 status 应为 open 或 closed。", "invalid_parameter")
        q = q.where(FollowUpTask.status == status)
    items = [{"id": t.id, "record_id": r.id, "uscc": e.uscc, "name": e.name, "department_id": t.department_id,
              "department": t.department.name, "status": t.status, "deadline": t.deadline.isoformat(),
              "opened_at": clock.iso(t.opened_at), "closed_at": clock.iso(t.closed_at)}
             for t, r, e in db.session.execute(q).all()]
    return page(items, lambda x: x["id"], limit)


# --- the directory and its imports -----------------------------------------------------------------------------

def entity_json(e: Entity) -> dict:
    return {"id": e.id, "uscc": e.uscc, "name": e.name, "address": e.address,
            "registered_on": clock.iso(e.registered_on), "annual_report_years": sorted(e.report_years),
            "status": e.status, "risk_level": e.risk_level, "category": e.category,
            "jurisdiction_id": e.jurisdiction_id}


@bp.get("/entities")
def entities():
    need("directory:read")
    q, limit = _one_page(select(Entity), Entity, Entity.jurisdiction_id)
    return page([entity_json(e) for e in db.session.scalars(q)], lambda x: x["id"], limit)


@bp.get("/entities/<uscc>")
def entity(uscc):
    need("directory:read")
    e = _in_reach(db.session.scalar(select(Entity).where(Entity.uscc == uscc.strip().upper())),
                  lambda e: e.jurisdiction_id, "该统一社会信用代码不在本令牌辖区的名录中。")
    return jsonify(entity_json(e))


def import_json(b: ImportBatch) -> dict:
    return {"id": b.id, "kind": b.kind, "status": b.status, "filename": b.filename, "format": b.file_format,
            "headers": b.headers, "mapping": b.mapping, "unknown_headers": b.unknown_headers,
            "summary": b.summary, "created_at": clock.iso(b.created_at), "committed_at": clock.iso(b.committed_at)}


def _batch_or_404(batch_id: int) -> ImportBatch:
    b = db.session.get(ImportBatch, batch_id)
    return _in_reach(b if b is not None and b.kind == "entities" else None, lambda b: b.jurisdiction_id,
                     f"导入批次 {batch_id} 不存在或不在本令牌的辖区内。")


@bp.post("/imports")
def import_start():
    """Upload an object-directory spreadsheet (multipart field `file`): the batch comes back in preview."""
    need("directory:write")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(400, "请以 multipart/form-data 的 file 字段上传名录文件（XLSX 或 CSV）。", "file_missing")
    data = upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ApiError(413, "文件超过 20 MB。", "too_large")
    if not data:
        raise ApiError(400, "上传的文件是空的。", "file_empty")
    token = g.api_token
    try:
        batch = importing.start("entities", upload.filename, data, user=token.created_by)
    except importing.ImportFailed as e:
        raise ApiError(400, e.message, "not_a_spreadsheet") from None
    if batch.jurisdiction_id is None:
        batch.jurisdiction_id = token.jurisdiction_id
        db.session.commit()
    return jsonify(import_json(batch)), 201


@bp.get("/imports/<int:batch_id>")
def import_show(batch_id):
    need("directory:write")
    b = _batch_or_404(batch_id)
    rows = importing.rows(b, after=_int("after"))  # keyset on the line: ?after=<next_after of the last page>
    return jsonify(dict(import_json(b), rows=[_row(r) for r in rows.items], next_after=rows.next_after))


def _row(r) -> dict:
    return {"line": r.line, "action": r.action, "key": r.key, "changes": r.changes or {},
            "reasons": r.reasons or ""}


@bp.post("/imports/<int:batch_id>/commit")
def import_commit(batch_id):
    need("directory:write")
    b = _batch_or_404(batch_id)
    applied = importing.commit(b, user=g.api_token.created_by)
    return jsonify(dict(import_json(b), applied=applied))

