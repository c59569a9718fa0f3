"""A plan as the office types it: parse and check the form's fields, with messages in Chinese. No Flask."""
from dataclasses import dataclass, field
from datetime import date

from webapp.domain import moments, normalise
from webapp.domain.risk import LEVELS

MIN_ON_SITE = 2  # 行政处罚法 Art. 42: at least two officers on site


@dataclass
class PlanInput:
    doc_number: str = ""
    title: str = ""
    issuer: str = ""
    issued_on: date | None = None
    based_on: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    window_start: date | None = None
    window_end: date | None = None
    lead_department_id: int | None = None
    category: str = ""
    registered_before: date | None = None
    annual_report_year: int | None = None
    statuses: list[str] = field(default_factory=list)
    ratios: dict[str, int] = field(default_factory=dict)
    floor_percent: int = 5
    confirm_days: int = 5
    entry_days: int = 5
    publish_days: int = 20
    teams: dict[int, int] = field(default_factory=dict)  # participating department -> people on site
    items: dict[int, list[int]] = field(default_factory=dict)  # department -> chosen library item ids

    def plan_fields(self) -> dict:
        """The columns of models.Plan this input sets."""
        return {
            "doc_number": self.doc_number, "title": self.title, "issuer": self.issuer, "issued_on": self.issued_on,
            "based_on": self.based_on, "contact_name": self.contact_name, "contact_phone": self.contact_phone,
            "window_start": self.window_start, "window_end": self.window_end,
            "lead_department_id": self.lead_department_id, "category": self.category or None,
            "registered_before": self.registered_before, "annual_report_year": self.annual_report_year,
            "statuses": list(self.statuses), "ratio_high": self.ratios.get("high", 0),
            "ratio_higher": self.ratios.get("higher", 0), "ratio_general": self.ratios.get("general", 0),
            "ratio_low": self.ratios.get("low", 0), "floor_percent": self.floor_percent,
            "confirm_days": self.confirm_days, "entry_days": self.entry_days, "publish_days": self.publish_days,
        }


def _int(text: str, label: str, low: int, high: int, errors: dict, name: str, required=True) -> int | None:
    text = normalise.clean_code(text)
    if not text:
        if required:
            errors[name] = f"请填写{label}。"
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        errors[name] = f"{label}须为 {low}–{high} 的整数。"
        return None
    return int(text)


def _date(text: str, label: str, errors: dict, name: str, required=False) -> date | None:
    try:
        value = normalise.parse_date(text)
    except ValueError as e:
        errors[name] = f"{label}：{e}"
        return None
    if value is None and required:
        errors[name] = f"请填写{label}。"
    if value is not None and not moments.FIRST_DAY <= value <= moments.LAST_DAY:
        # 9999-12-31 would overflow the deadline arithmetic (a 500); no plan of the regime lies outside this.
        errors[name] = f"{label}超出有效范围（2000-01-01 至 2099-12-31）。"
        return None
    return value


def parse(form, departments: dict[int, set[int]]) -> tuple[PlanInput, dict[str, str]]:
    """`form`: a mapping with .get(name) and .getlist(name) (the request's form). `departments`: each department's
    active library item ids. Returns the input and the errors by field name (empty when valid)."""
    errors: dict[str, str] = {}
    p = PlanInput()
    for name, label, limit in (("doc_number", "文号", 64), ("title", "标题", 200), ("issuer", "发文单位", 200),
                               ("based_on", "依据", 200), ("contact_name", "联系人", 32),
                               ("contact_phone", "联系电话", 32), ("category", "对象类别", 64)):
        value = normalise.clean_text(form.get(name, ""))
        if len(value) > limit:
            errors[name] = f"{label}不超过 {limit} 字。"
        setattr(p, name, value[:limit])
    for name, label in (("doc_number", "文号"), ("title", "标题"), ("issuer", "发文单位")):
        if not getattr(p, name):
            errors[name] = f"请填写{label}。"
    p.issued_on = _date(form.get("issued_on", ""), "发文日期", errors, "issued_on")
    p.window_start = _date(form.get("window_start", ""), "检查开始日期", errors, "window_start", required=True)
    p.window_end = _date(form.get("window_end", ""), "检查结束日期", errors, "window_end", required=True)
    if p.window_start and p.window_end and p.window_end < p.window_start:
        errors["window_end"] = "检查结束日期不能早于开始日期。"
    p.registered_before = _date(form.get("registered_before", ""), "登记日期早于", errors, "registered_before")
    p.annual_report_year = _int(form.get("annual_report_year", ""), "年报年度", 2000, 2100, errors,
                                "annual_report_year", required=False)
    p.statuses = list(normalise.parse_list(form.get("statuses", "")))
    for level, label in zip(LEVELS, ("高风险比例", "较高风险比例", "一般风险比例", "低风险比例")):
        value = _int(form.get(f"ratio_{level}", ""), label, 0, 100, errors, f"ratio_{level}")
        p.ratios[level] = value if value is not None else 0
    p.floor_percent = _int(form.get("floor_percent", ""), "总体最低比例", 0, 100, errors, "floor_percent") or 0
    p.confirm_days = _int(form.get("confirm_days", ""), "部门比对确认时限", 1, 30, errors, "confirm_days") or 5
    p.entry_days = _int(form.get("entry_days", ""), "结果录入时限", 1, 30, errors, "entry_days") or 5
    p.publish_days = _int(form.get("publish_days", ""), "公示时限", 1, 60, errors, "publish_days") or 20

    for dept_id, library in departments.items():
        if form.get(f"dept_{dept_id}") != "1":
            continue
        size = _int(form.get(f"team_{dept_id}", ""), "现场人数", 0, 10, errors, f"team_{dept_id}")
        p.teams[dept_id] = size or 0
        chosen = []
        for raw in form.getlist(f"items_{dept_id}"):
            if raw.isdigit() and int(raw) in library and int(raw) not in chosen:
                chosen.append(int(raw))
        p.items[dept_id] = chosen
        if not chosen:
            errors[f"items_{dept_id}"] = "请为该部门至少选择一个抽查事项。"
    if not p.teams:
        errors["departments"] = "请至少选择一个参与部门。"
    elif sum(p.teams.values()) < MIN_ON_SITE:
        errors["departments"] = f"各部门现场检查人数合计至少 {MIN_ON_SITE} 人。"
    lead = form.get("lead_department_id", "")
    p.lead_department_id = int(lead) if lead.isdigit() else None
    if p.lead_department_id is None:
        errors["lead_department_id"] = "请选择牵头部门。"
    elif p.lead_department_id not in p.teams:
        errors["lead_department_id"] = "牵头部门须是参与部门之一。"
    return p, errors
