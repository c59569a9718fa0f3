"""XLSX exports of a plan (openpyxl): results with the national result categories, one row per enterprise and
department (谁抽查、谁录入、谁公示: each department's part with its own categories, status and publication), ready to
enter into the provincial platform; and the draw with its teams."""
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from webapp.core import clock
from webapp.domain import cells, results, risk
from webapp.domain.review import category_labels

CODE_ORDER = {code: n for n, code in enumerate(results.CATEGORIES)}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_EVERY = 25  # records between two progress reports of a workbook built in a job


def _append(ws, row):
    """Append a row; text stays text: a cell starting with =, +, -, @, tab or CR gets a leading apostrophe
    (domain/cells.py), and every text cell is typed as a string (openpyxl would store '=…' as a formula)."""
    ws.append(cells.row(row))
    for c in ws[ws.max_row]:
        if isinstance(c.value, str):
            c.data_type = "s"


def _sheet(wb, title, header, rows, widths):
    ws = wb.create_sheet(title)
    _append(ws, header)
    for c in ws[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        _append(ws, row)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    return ws


def _team(record):
    return "；".join(
        f"{m.inspector.name}（{m.department.name}，{m.inspector.certificate_no}）" for m in record.members
    )


def _departments(record):
    seen = []
    for m in record.members:
        if m.department.name not in seen:
            seen.append(m.department.name)
    return "、".join(seen)


departments_of = _departments


def _tick(progress, n: int, total: int):
    """Report `n` of `total` records done (a job's progress), every PROGRESS_EVERY records and at the end."""
    if progress is not None and (n % PROGRESS_EVERY == 0 or n == total):
        progress(n, total)


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


RESULT_HEADER = [
    "序号", "抽查计划文号", "抽查计划名称", "统一社会信用代码", "企业名称", "法定代表人", "住所", "风险等级",
    "检查部门", "检查事项", "检查日期", "检查结果", "检查结果代码", "检查人员（执法证号）", "拒绝签字",
    "记录状态", "逾期同步", "公示日期", "结果摘要", "检查实施机关",
]


def results_workbook(plan, records, item_titles: dict[int, str], parts: dict | None = None,
                     department_id: int | None = None, progress=None) -> bytes:
    """One row per enterprise and department (`parts`: record id -> its ReviewParts; only `department_id`'s when
    given): that department's items, result categories by their national labels (several joined by '；'), its
    part's status and publication date; a record without parts, one row as the record. 记录状态 is the part's."""
    wb = Workbook()
    wb.remove(wb.active)
    rows = []
    names = {m.department_id: m.department.name for r in records for m in r.members}
    for n, r in enumerate(records, 1):
        _tick(progress, n, len(records))
        own = [p for p in (parts or {}).get(getattr(r, "id", None), []) if department_id is None or p.department_id == department_id]
        for part in own or [None]:
            dept = part.department_id if part is not None else None
            titles = [
                item_titles.get(i.get("plan_item_id"), "")
                for d in (r.findings or {}).get("departments", []) if dept is None or d.get("department_id") == dept
                for i in d.get("items", [])
            ]
            codes = part.result_codes if part is not None else r.result_codes
            published_at = part.published_at if part is not None else r.published_at
            rows.append([
                len(rows) + 1, plan.doc_number, plan.title, r.entity.uscc, r.entity.name, r.entity.legal_rep or "",
                r.entity.address or "", risk.LABELS.get(r.entity.risk_level, r.entity.risk_level),
                (part.department.name if part is not None else _departments(r)) or names.get(dept, ""),
                "；".join(t for t in titles if t), r.inspected_on,
                "；".join(category_labels(codes)),
                ",".join(sorted(codes or [], key=lambda c: CODE_ORDER.get(c, len(CODE_ORDER)))), _team(r),
                "是" if r.refused else "否",
                part.status_label if part is not None else r.status_label, "是" if r.late else "否",
                # 公示日期 is a Beijing day: published_at is stored in UTC, a day behind until 08:00 Beijing time.
                clock.in_beijing(published_at).date() if published_at else None, r.findings_hash or "",
                (part.authority or part.department.name) if part is not None and published_at else "",
            ])
    ws = _sheet(wb, "检查结果", RESULT_HEADER, rows,
                [6, 22, 30, 22, 30, 10, 30, 10, 22, 40, 12, 30, 20, 40, 8, 10, 8, 12, 20, 22])
    for row in ws.iter_rows(min_row=2, min_col=11, max_col=11):
        for c in row:
            c.number_format = "yyyy-mm-dd"
    for row in ws.iter_rows(min_row=2, min_col=18, max_col=18):
        for c in row:
            c.number_format = "yyyy-mm-dd"
    _sheet(wb, "结果类别", ["代码", "检查结果类别"], list(results.CATEGORIES.items()), [16, 40])
    return _save(wb)


def teams_workbook(plan, records, progress=None) -> bytes:
    """The draw (one row per record) and the teams (one row per member)."""
    wb = Workbook()
    wb.remove(wb.active)
    draw = [
        [n, r.entity.uscc, r.entity.name, risk.LABELS.get(r.entity.risk_level, r.entity.risk_level),
         r.entity.address or "", _departments(r), len(r.members), "是" if r.understaffed else "否",
         "是" if r.needs_expert else "否", r.status_label]
        for n, r in enumerate(records, 1)
    ]
    _tick(progress, len(records), len(records))
    _sheet(wb, "抽取名单", ["序号", "统一社会信用代码", "企业名称", "风险等级", "住所", "检查部门", "检查人数",
                        "人员不足", "需专业人员", "状态"], draw, [6, 22, 30, 10, 30, 22, 8, 8, 10, 8])
    team = [
        [r.entity.uscc, r.entity.name, m.inspector.name, m.department.name, m.inspector.certificate_no,
         "专业人员" if m.kind == "expert" else "随机抽取", "是" if m.is_leader else "否", m.reason or ""]
        for r in records for m in r.members
    ]
    _sheet(wb, "检查组", ["统一社会信用代码", "企业名称", "姓名", "部门", "执法证号", "产生方式", "组长",
                       "指派理由"], team, [22, 30, 10, 20, 18, 10, 6, 30])
    meta = wb.create_sheet("计划")
    for row in (("文号", plan.doc_number), ("名称", plan.title), ("发起单位", plan.issuer),
                ("检查期", f"{plan.window_start:%Y-%m-%d} 至 {plan.window_end:%Y-%m-%d}")):
        _append(meta, row)
    return _save(wb)


BUNDLE_HEADER = ["序号", "企业名称", "统一社会信用代码", "检查部门", "记录状态", "文件名"]


def bundle_index(plan, rows) -> bytes:
    """The index of a plan's bundle: one row per 一企一表 PDF in the ZIP."""
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "索引", BUNDLE_HEADER, rows, [6, 30, 22, 30, 10, 50])
    meta = wb.create_sheet("计划")
    for row in (("文号", plan.doc_number), ("名称", plan.title), ("检查表份数", len(rows))):
        _append(meta, row)
    return _save(wb)
