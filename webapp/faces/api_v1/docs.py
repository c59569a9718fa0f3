"""The description of /api/v1 (OpenAPI 3.1) and its readable page, rendered here: nothing from a CDN."""
from flask import jsonify, render_template, url_for

from webapp.core.jobs import STATES
from webapp.faces.api_v1 import bp
from webapp.faces.api_v1.jobs import KIND_SCOPES
from webapp.stages.integration import tokens

NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _obj(props: dict, required=None) -> dict:
    return {"type": "object", "properties": props, "required": list(required or props)}


def _list_of(ref: str) -> dict:
    return _obj({"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}},
                 "next_cursor": NULLABLE_STR})


PARAMS = {
    "limit": {"name": "limit", "in": "query", "description": "每页条数（1–200，默认 50）",
              "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    "cursor": {"name": "cursor", "in": "query", "description": "上一页返回的 next_cursor", "schema": {"type": "string"}},
    "from": {"name": "from", "in": "query", "description": "起始日期（含），YYYY-MM-DD",
             "schema": {"type": "string", "format": "date"}},
    "to": {"name": "to", "in": "query", "description": "截止日期（含），YYYY-MM-DD",
           "schema": {"type": "string", "format": "date"}},
    "jurisdiction": {"name": "jurisdiction", "in": "query", "description": "辖区代码（GB/T 2260，含下级）",
                     "schema": {"type": "string", "pattern": "^[0-9]{6}$"}},
    "department": {"name": "department", "in": "query", "description": "部门编号",
                   "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}},
    "plan": {"name": "plan", "in": "query", "description": "抽查计划编号",
             "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}},
}


def _ref(name):
    return {"$ref": f"#/components/parameters/{name}"}


def _id(name, what):
    return {"name": name, "in": "path", "required": True, "description": what,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647}}


ERRORS = {code: {"$ref": f"#/components/responses/{name}"} for code, name in
          (("400", "BadRequest"), ("401", "Unauthorized"), ("403", "Forbidden"))}


def _get(summary, schema, scope, params=(), extra=None, tag="", description=""):
    responses = {"200": {"description": "成功", "headers": {"ETag": {"schema": {"type": "string"}}},
                         "content": {"application/json": {"schema": schema}}},
                 "304": {"description": "未变化（If-None-Match 与 ETag 相同）"}, **ERRORS}
    responses.update(extra or {})
    return {"get": {"summary": summary, "description": description or f"权限范围：`{scope}`", "tags": [tag],
                    "security": [{"token": [scope]}],
                    "parameters": list(params) + [{"name": "If-None-Match", "in": "header", "required": False,
                                                   "schema": {"type": "string"}}],
                    "responses": responses}}


NOT_FOUND = {"404": {"$ref": "#/components/responses/NotFound"}}
JOBS_TEXT = ("本令牌辖区（含下级）的后台任务，按权限范围可见：" + "；".join(
    f"`{kind}.*` 需 `{scope}`" for kind, scope in KIND_SCOPES.items()) + "。令牌没有其中任何一项时回答 403。")
LIST = [_ref("limit"), _ref("cursor")]


def description() -> dict:
    schemas = {
        "Error": _obj({"error": {"type": "string", "description": "中文说明"},
                       "code": {"type": "string", "description": "稳定的错误代码"}}),
        "Department": _obj({"id": {"type": "integer"}, "name": {"type": "string"}}),
        "Plan": _obj({"id": {"type": "integer"}, "doc_number": {"type": "string"}, "title": {"type": "string"},
                      "issuer": {"type": "string"}, "issued_on": NULLABLE_DATE,
                      "window_start": {"type": "string", "format": "date"},
                      "window_end": {"type": "string", "format": "date"}, "status": {"type": "string"},
                      "lead_department_id": {"type": "integer"}, "jurisdiction_id": {"type": ["integer", "null"]},
                      "departments": {"type": "array", "items": {"$ref": "#/components/schemas/Department"}}}),
        "Draw": _obj({"id": {"type": "integer"}, "plan_id": {"type": "integer"},
                      "kind": {"type": "string", "enum": ["entities", "inspectors"]},
                      "attempt": {"type": "integer"},
                      "status": {"type": "string", "enum": ["prepared", "executed", "abandoned"]},
                      "commitment": {"type": "string"}, "population_size": {"type": "integer"},
                      "executed_at": NULLABLE_TIME, "manifest_sha256": NULLABLE_STR, "disclosed": {"type": "boolean"}}),
        "Manifest": _obj({"disclosed": {"type": "boolean"}, "summary": {"type": "object"},
                          "manifest": {"type": ["object", "null"],
                                       "description": "检查时限届满（或提前公开）后才有：对象名单和检查组"}}),
        "Record": _obj({"id": {"type": "integer"}, "plan_id": {"type": "integer"}, "uscc": {"type": "string"},
                        "name": {"type": "string"}, "status": {"type": "string"}, "status_label": {"type": "string"},
                        "inspected_on": NULLABLE_DATE}),
        "Result": _obj({"id": {"type": "string", "description": "稳定编号：核验编号-部门代码"},
                        "part_id": {"type": "integer"},
                        "authority": {"type": "string", "description": "检查实施机关"},
                        "check_type": {"type": "string", "description": "检查类型"},
                        "inspected_on": NULLABLE_DATE,
                        "results": {"type": "array", "items": {"type": "string"}, "description": "检查结果（国家类别）"},
                        "uscc": {"type": "string"}, "name": {"type": "string"}, "department": {"type": "string"},
                        "department_id": {"type": "integer"}, "published_at": NULLABLE_TIME,
                        "jurisdiction": {"type": "string"}, "plan_doc": {"type": "string"},
                        "verify_token": {"type": "string"}}),
        "FollowUp": _obj({"id": {"type": "integer"}, "record_id": {"type": "integer"}, "uscc": {"type": "string"},
                          "name": {"type": "string"}, "department_id": {"type": "integer"},
                          "department": {"type": "string"}, "status": {"type": "string", "enum": ["open", "closed"]},
                          "deadline": {"type": "string", "format": "date"}, "opened_at": NULLABLE_TIME,
                          "closed_at": NULLABLE_TIME}),
        "Entity": _obj({"id": {"type": "integer"}, "uscc": {"type": "string"}, "name": {"type": "string"},
                        "address": NULLABLE_STR, "registered_on": NULLABLE_DATE,
                        "annual_report_years": {"type": "array", "items": {"type": "integer"}},
                        "status": {"type": "string"}, "risk_level": {"type": "string"},
                        "category": {"type": "string"}, "jurisdiction_id": {"type": ["integer", "null"]}}),
        "Import": _obj({"id": {"type": "integer"}, "kind": {"type": "string"}, "status": {"type": "string"},
                        "filename": {"type": "string"}, "format": {"type": "string"},
                        "headers": {"type": "array", "items": {"type": "string"}}, "mapping": {"type": "object"},
                        "unknown_headers": {"type": "array", "items": {"type": "string"}},
                        "summary": {"type": "object"}, "created_at": NULLABLE_TIME, "committed_at": NULLABLE_TIME}),
        "Job": _obj({"id": {"type": "integer"}, "kind": {"type": "string"},
                     "state": {"type": "string", "enum": list(STATES)}, "state_label": {"type": "string"},
                     "done": {"type": "integer"}, "total": {"type": ["integer", "null"]},
                     "percent": {"type": ["integer", "null"]}, "attempts": {"type": "integer"},
                     "error": NULLABLE_STR, "jurisdiction_id": {"type": ["integer", "null"]},
                     "result": {"type": ["object", "null"]}, "created_at": NULLABLE_TIME,
                     "started_at": NULLABLE_TIME, "finished_at": NULLABLE_TIME}),
    }
    for name in ("Plan", "Draw", "Record", "Result", "FollowUp", "Entity", "Job"):
        schemas[name + "List"] = _list_of(name)
    ref = lambda n: {"$ref": f"#/components/schemas/{n}"}  # noqa: E731
    error_response = lambda text: {"description": text, "content": {  # noqa: E731
        "application/json": {"schema": ref("Error")}}}
    paths = {
        "/plans": _get("抽查计划列表", ref("PlanList"), "plans:read",
                       LIST + [_ref("jurisdiction"), _ref("department"), _ref("from"), _ref("to")], tag="计划与抽取"),
        "/plans/{plan_id}": _get("一个抽查计划", ref("Plan"), "plans:read", [_id("plan_id", "计划编号")],
                                 NOT_FOUND, tag="计划与抽取"),
        "/draws": _get("抽取列表", ref("DrawList"), "plans:read", LIST + [_ref("plan"), _ref("jurisdiction")],
                       tag="计划与抽取"),
        "/draws/{draw_id}": _get("一次抽取", ref("Draw"), "plans:read", [_id("draw_id", "抽取编号")], NOT_FOUND,
                                 tag="计划与抽取"),
        "/draws/{draw_id}/manifest": _get(
            "抽取的公开清单", ref("Manifest"), "plans:read", [_id("draw_id", "抽取编号")], NOT_FOUND, tag="计划与抽取",
            description="与公开抽取页面相同：检查时限届满前只有摘要（承诺值、种子、清单的 SHA-256），届满后才有完整清单。"
                        "权限范围：`plans:read`"),
        "/records": _get("检查记录（一企一表）", ref("RecordList"), "records:read",
                         LIST + [_ref("plan"), _ref("jurisdiction"), _ref("from"), _ref("to")], tag="检查与结果"),
        "/results": _get("已公示的检查结果（每个企业每个部门一条）", ref("ResultList"), "results:read",
                         LIST + [_ref("jurisdiction"), _ref("department"), _ref("from"), _ref("to")], tag="检查与结果"),
        "/follow-ups": _get("后续监管任务", ref("FollowUpList"), "results:read",
                            LIST + [_ref("jurisdiction"), _ref("department"),
                                    {"name": "status", "in": "query",
                                     "schema": {"type": "string", "enum": ["open", "closed"]}}], tag="检查与结果"),
        "/entities": _get("检查对象名录", ref("EntityList"), "directory:read", LIST + [_ref("jurisdiction")],
                          tag="名录与导入"),
        "/entities/{uscc}": _get("一个检查对象", ref("Entity"), "directory:read",
                                 [{"name": "uscc", "in": "path", "required": True, "schema": {"type": "string"}}],
                                 NOT_FOUND, tag="名录与导入"),
        "/imports": {"post": {
            "summary": "上传名录文件（生成导入预览）", "tags": ["名录与导入"], "description": "权限范围：`directory:write`",
            "security": [{"token": ["directory:write"]}],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"]}}}},
            "responses": {"201": {"description": "已生成预览", "content": {"application/json": {"schema": ref("Import")}}},
                          "413": error_response("文件过大"), **ERRORS}}},
        "/imports/{batch_id}": _get("导入批次及其预览", ref("Import"), "directory:write",
                                    [_id("batch_id", "批次编号"), {"name": "after", "in": "query", "description":
                                        "上一页答复的 next_after（按行号翻页）", "schema": {"type": "integer", "minimum": 1}}], NOT_FOUND, tag="名录与导入"),
        "/imports/{batch_id}/commit": {"post": {
            "summary": "提交导入（按预览写入名录）", "tags": ["名录与导入"], "description": "权限范围：`directory:write`",
            "security": [{"token": ["directory:write"]}], "parameters": [_id("batch_id", "批次编号")],
            "responses": {"200": {"description": "已导入", "content": {"application/json": {"schema": ref("Import")}}},
                          "404": {"$ref": "#/components/responses/NotFound"},
                          "422": error_response("批次不在预览状态"), **ERRORS}}},
        "/jobs": _get("后台任务列表", ref("JobList"), "任一", LIST + [_ref("jurisdiction"), {
            "name": "state", "in": "query", "schema": {"type": "string", "enum": list(STATES)}}], tag="后台任务",
            description=JOBS_TEXT),
        "/jobs/{job_id}": _get("一个后台任务（进度、结果、错误）", ref("Job"), "任一", [_id("job_id", "任务编号")],
                               NOT_FOUND, tag="后台任务", description=JOBS_TEXT),
    }
    for op in (paths["/jobs"]["get"], paths["/jobs/{job_id}"]["get"]):
        op["security"] = [{"token": sorted(set(KIND_SCOPES.values()))}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "spotcheck 开放接口", "version": "1.0.0",
                 "description": "双随机、一公开抽查平台的开放接口。以办公室签发的 API 令牌认证"
                                "（请求头 `Authorization: Bearer sc_…`），只能读写签发办公室辖区（含下级）的数据；"
                                "每次调用都记入审计日志。列表按游标分页（next_cursor），GET 回答带 ETag。"
                                "错误统一为 {\"error\": 中文说明, \"code\": 稳定代码}。"},
        "servers": [{"url": url_for("api_v1.plans", _external=False).removesuffix("/plans")}],
        "tags": [{"name": n} for n in ("计划与抽取", "检查与结果", "名录与导入", "后台任务")],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "parameters": PARAMS,
            "responses": {
                "BadRequest": error_response("参数有误"), "Unauthorized": error_response("缺少或无效的令牌"),
                "Forbidden": error_response("令牌没有该权限范围"), "NotFound": error_response("不存在或不在辖区内"),
            },
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "权限范围：" + "；".join(f"{k}（{v}）"
                                                                           for k, v in tokens.SCOPES.items())}},
        },
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(description())


@bp.get("/docs")
def docs():
    spec = description()
    return render_template("api_v1/docs.html", spec=spec, scopes=tokens.SCOPES)
