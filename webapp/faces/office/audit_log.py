"""The office's audit page (操作日志): the audit trail of its jurisdiction, newest first, read only, paged by keyset
(the last event shown, never OFFSET) so that it holds at 1,000,000 events. Only the office admin; the events of the
accounts of the jurisdictions the office sees (a city: its districts' too). Events without an account (the public
doors, the command line) belong to no office and are not listed here; `spotcheck verify-audit` checks the chain."""
import json

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from webapp.core import keyset
from webapp.core.audit import AuditEvent
from webapp.core.extensions import db
from webapp.domain import roles
from webapp.faces.auth.gate import role_required
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import User
from webapp.stages.review.service import AUDIT_LABELS

bp = Blueprint("audit_log", __name__, url_prefix="/office/audit")

PER_PAGE = 50
DETAIL_SHOWN = 200  # characters of an event's detail on the page

# The first part of an action ("review.approve" → "review"), as the filter offers it.
KINDS = {
    "login": "登录", "logout": "退出登录", "user": "账号管理", "plan": "抽查计划", "annual": "年度计划",
    "draw": "双随机抽取", "calendar": "工作日调整", "import": "名录导入", "entity": "检查对象", "inspector": "执法人员",
    "conflict": "回避声明", "item": "抽查事项", "credential": "执法证件", "field": "现场检查", "review": "审核",
    "record": "公示与撤回", "followup": "后续监管", "report": "报表与下载", "feedback": "信息反馈",
    "enterprise": "企业异议与整改", "tipoff": "举报", "limits": "检查频次上限", "api_token": "开放接口令牌",
    "api": "开放接口调用", "webhook": "Webhook 推送",
}
LABELS = {**AUDIT_LABELS, "review.approve": "审核通过", "review.return": "退回", "review.amendment": "补充说明",
          "draw.prepare": "抽取准备（承诺）", "draw.execute": "执行抽取", "draw.abandon": "放弃抽取",
          "login": "登录", "logout": "退出登录", "followup.close": "办结后续监管", "plan.create": "新建计划"}


# What an event is about, in the page's words (the model's name stays beside it as its code).
OBJECTS = {
    "InspectionRecord": "检查记录", "User": "账号", "Plan": "抽查计划", "AnnualPlan": "年度计划", "Draw": "抽取",
    "DrawConfirmation": "抽取确认", "DrawExclusion": "抽取排除", "FollowUpTask": "后续监管任务", "Entity": "检查对象",
    "ImportBatch": "导入批次", "InspectorProfile": "执法人员", "InspectorCredential": "执法证件", "Conflict": "回避声明",
    "CheckItem": "抽查事项", "CalendarOverride": "工作日调整", "Objection": "企业异议", "Rectification": "整改",
    "Question": "企业咨询", "TipOff": "举报", "TargetedCheck": "定向检查", "Amendment": "补充说明",
    "ReviewPart": "部门审核", "Feedback": "信息反馈", "ApiToken": "开放接口令牌", "WebhookSubscription": "Webhook 订阅",
    "WebhookDelivery": "Webhook 推送", "PublicationWithdrawal": "撤回公示", "JurisdictionLimits": "检查频次上限",
    "Job": "后台任务", "Department": "部门", "Jurisdiction": "辖区",
}


def about(event: AuditEvent) -> str:
    """"检查记录 21", or "—" for an event about nothing in particular."""
    if not event.object_type:
        return "—"
    return f"{OBJECTS.get(event.object_type, '其他对象')} {event.object_id or ''}".strip()


def label(action: str) -> str:
    """How the page names an action: its own label, else its kind's, with the code beside it on the page."""
    return LABELS.get(action) or KINDS.get(action.split(".", 1)[0], "其他操作")


def events(user, kind: str | None, after) -> keyset.Page:
    """One page of the events of the accounts `user` sees, newest first, of one kind if given."""
    # The accounts are named in the query: behind a subquery PostgreSQL misjudges how many events they keep.
    accounts = db.session.scalars(jurisdictions.scope(select(User.id), User.jurisdiction_id, user)).all()
    query = select(AuditEvent).options(joinedload(AuditEvent.user)).where(
        AuditEvent.user_id.in_(sorted(accounts) or [-1]))
    if kind:
        query = query.where(or_(AuditEvent.action == kind, AuditEvent.action.like(f"{kind}.%")))
    return keyset.page(query, AuditEvent.id, after, PER_PAGE, newest_first=True)


# An event's detail in the page's words: the keys the code writes (core.audit.record's keywords), each named.
FIELDS = {
    "after": "之后", "answer_due": "答复期限", "applied": "已应用", "attachments": "附件", "attempt": "次数",
    "authority": "机关", "batch": "批次", "before": "之前", "bytes": "字节数", "certificate_no": "证件号",
    "client_id": "客户端", "client_uuid": "记录编号（手机）", "comment": "意见", "commitment": "承诺值",
    "corrected_codes": "更正后的结果", "day": "日期", "deadline": "期限", "department_id": "部门",
    "departments": "部门", "digest": "摘要", "doc_number": "文号", "draw": "抽取", "events": "事件数",
    "excluded": "排除", "file": "文件", "filed_on": "提交日期", "filename": "文件名", "findings_hash": "检查内容摘要",
    "follow_up_id": "后续监管任务", "inspected_on": "检查日期", "inspector": "执法人员", "inspector_id": "执法人员",
    "is_workday": "工作日", "items": "事项", "jurisdiction": "辖区", "kind": "类别", "late": "逾期",
    "line": "行", "mapping": "列对应", "media": "照片与签名", "media_id": "照片", "method": "方法", "name": "名称",
    "nonce": "随机数", "note": "说明", "offline": "离线", "older_than": "早于", "overrides": "调整",
    "path": "路径", "plan": "计划", "plan_id": "计划", "planned_tasks": "计划任务数", "population": "名录总数",
    "published_at": "公示时间", "reason": "原因", "record_id": "检查记录", "records": "检查记录",
    "refusal_confirmed_by": "拒签见证人", "refused": "拒签", "result_codes": "检查结果", "roles": "角色",
    "rows": "行数", "scopes": "权限范围", "seed": "随机种子", "selected": "抽中", "sha256": "SHA-256",
    "status": "状态", "status_from": "原状态", "status_to": "新状态", "still_needs_expert": "仍需专家",
    "still_understaffed": "仍缺人员", "summary": "摘要", "sync_due": "同步期限", "targeted_check": "定向检查",
    "to": "至", "to_department_id": "转至部门", "token": "令牌", "url": "地址", "uscc": "统一社会信用代码",
    "username": "账号", "version": "版本", "via": "途径", "witness": "见证人", "year": "年度",
}


VALUES = {"entities": "检查对象", "inspectors": "执法人员"}  # a draw's 类别


def value(v) -> str:
    if isinstance(v, str):
        return VALUES.get(v, v) or "—"
    if v is True or v is False:
        return "是" if v else "否"
    if v is None or v == [] or v == {}:
        return "—"
    return json.dumps(v, ensure_ascii=False, sort_keys=True)


def detail(event: AuditEvent) -> str:
    """"原因：…；检查记录：21", at most DETAIL_SHOWN characters; a key the table does not name shows as written."""
    text = "；".join(f"{FIELDS.get(k, k)}：{value(v)}" for k, v in sorted((event.detail or {}).items()))
    return text if len(text) <= DETAIL_SHOWN else text[:DETAIL_SHOWN] + "…"


@bp.route("/")
@role_required(roles.OFFICE_ADMIN)
def index():
    kind = request.args.get("kind", "")
    kind = kind if kind in KINDS else ""
    found = events(current_user, kind or None, request.args.get("after"))
    return render_template("office/audit.html", found=found, kind=kind, KINDS=KINDS, label=label, detail=detail,
                           about=about)
