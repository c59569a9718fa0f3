"""Planning an import, row by row, without touching the database: which rows create, update, leave unchanged or
are rejected (with the reason in Chinese). The caller supplies a `lookup` of what is stored now and applies the
plan in one transaction. Three kinds: the object directory, the inspector roster, conflicts of interest (回避).

Values are kept JSON-ready (dates as ISO strings, years as "2021,2022") so a preview can be stored and applied
later exactly as shown.
"""
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from webapp.domain import normalise as n
from webapp.domain import uscc

CREATE, UPDATE, UNCHANGED, REJECTED = "create", "update", "unchanged", "rejected"
ACTION_LABELS = {CREATE: "新增", UPDATE: "更新", UNCHANGED: "无变化", REJECTED: "拒绝"}
CHUNK = 1000


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    synonyms: tuple[str, ...]
    parse: Callable[[Any], Any]
    required: bool = False  # the column must be in the file


@dataclass(frozen=True)
class Spec:
    kind: str
    label: str
    columns: tuple[Column, ...]
    required_values: tuple[str, ...]  # a new record needs these
    key: Callable[[dict], str | None]
    key_label: str
    validate: Callable[[dict], list[str]] = lambda values: []
    # (values, current or None) -> reasons; may add derived values (e.g. checksum_override)
    validate_against: Callable[[dict, dict | None], list[str]] = lambda values, current: []
    # Whether a row whose only problem is this reason could be accepted by an explicit override.
    overridable: Callable[[str], bool] = lambda reason: False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def labels(self) -> dict[str, str]:
        return {c.name: c.label for c in self.columns}


@dataclass
class HeaderMatch:
    colmap: dict[str, int]  # field -> column index
    unknown: list[str]  # headers not matched (ignored unless mapped)
    missing: list[str]  # required fields without a column
    duplicated: list[str]  # fields claimed by two columns

    @property
    def ok(self) -> bool:
        return not self.missing and not self.duplicated


def match_headers(headers: list[str], spec: Spec, mapping: dict[str, str] | None = None) -> HeaderMatch:
    """Match the file's headers to the spec's fields. `mapping` (header → field, "" = ignore) is the office's own
    answer for headers the synonyms do not know; it wins over the synonyms."""
    mapping = {n.header_key(h): f for h, f in (mapping or {}).items()}
    known = {}
    for col in spec.columns:
        for synonym in (col.label, col.name, *col.synonyms):
            known[n.header_key(synonym)] = col.name
    colmap, unknown, duplicated = {}, [], []
    for index, header in enumerate(headers):
        if not header:
            continue
        keys = n.header_keys(header)
        if keys[0] in mapping:
            name = mapping[keys[0]] or None
            if name and name not in spec.labels:
                name = None
        else:
            name = next((known[k] for k in keys if k in known), None)
            if name is None:
                unknown.append(header)
                continue
        if name is None:
            continue
        if name in colmap:
            duplicated.append(name)
        else:
            colmap[name] = index
    missing = [c.name for c in spec.columns if c.required and c.name not in colmap]
    return HeaderMatch(colmap, unknown, missing, sorted(set(duplicated)))


@dataclass
class RowPlan:
    line: int
    action: str
    key: str | None
    values: dict
    cells: list  # as read; `raw` is their text, stored for rejected rows only, so made on demand
    reasons: list[str] = field(default_factory=list)
    changes: dict = field(default_factory=dict)  # field -> [old, new]
    overridable: bool = False

    @property
    def raw(self) -> list[str]:
        return [n.cell_text(c) for c in self.cells]

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)
    blank: int = 0

    def as_dict(self) -> dict:
        return {a: self.counts.get(a, 0) for a in (CREATE, UPDATE, UNCHANGED, REJECTED)} | {"blank": self.blank}


def parse_cells(cells: list, parsers: list[tuple[str, int, Callable]]) -> tuple[dict, list[str]]:
    values, errors = {}, []
    width = len(cells)
    for name, index, parse in parsers:
        try:
            values[name] = parse(cells[index] if index < width else None)
        except ValueError as e:
            values[name] = None
            errors.append(str(e))
    return values, errors


def _blank(cells: list) -> bool:
    return all(c is None or (isinstance(c, str) and not n.clean_text(c)) for c in cells)


def plan(rows: Iterable[tuple[int, list]], spec: Spec, colmap: dict[str, int],
         lookup: Callable[[list[str]], dict[str, dict]], summary: Summary | None = None) -> Iterator[RowPlan]:
    """Plan every non-blank row. `lookup(keys)` returns the stored values of those keys that exist (same
    representation as parsed values; names starting with "_" are context, never compared)."""
    summary = summary if summary is not None else Summary()
    parsed: list[RowPlan] = []
    parsers = [(name, index, spec.column(name).parse) for name, index in colmap.items()]
    for line, cells in rows:
        if _blank(cells):
            summary.blank += 1
            continue
        values, errors = parse_cells(cells, parsers)
        if not errors:
            errors = spec.validate(values)
        key = spec.key(values)
        parsed.append(RowPlan(line, REJECTED if errors else "", key, values, cells, errors))

    lines_of: dict[str, list[int]] = {}
    for row in parsed:
        if row.key:
            lines_of.setdefault(row.key, []).append(row.line)
    for row in parsed:
        lines = lines_of.get(row.key or "", [])
        if len(lines) > 1:
            others = "、".join(str(x) for x in lines if x != row.line)
            row.reasons.append(f"文件中重复：第 {others} 行也是同一{spec.key_label}")
            row.action = REJECTED

    for start in range(0, len(parsed), CHUNK):
        chunk = parsed[start:start + CHUNK]
        current = lookup([r.key for r in chunk if r.key and r.action != REJECTED])
        for row in chunk:
            if row.action != REJECTED:
                _decide(row, spec, current.get(row.key))
            summary.counts[row.action] += 1
            yield row


def _decide(row: RowPlan, spec: Spec, current: dict | None):
    reasons = spec.validate_against(row.values, current)
    if current is None or current.get("_new"):
        missing = [spec.column(f).label for f in spec.required_values if row.values.get(f) in (None, "", ())]
        reasons += [f"缺少{label}" for label in missing]
    if reasons:
        row.action, row.reasons = REJECTED, reasons
        row.overridable = all(spec.overridable(r) for r in reasons)
        return
    if current is None or current.get("_new"):
        row.action = CREATE
        return
    # An empty cell means "not given": it never erases what is stored.
    changes = {
        name: [current.get(name), value]
        for name, value in row.values.items()
        if value not in (None, "") and not name.startswith("_") and value != current.get(name)
    }
    row.changes = changes
    row.action = UPDATE if changes else UNCHANGED


# --- the object directory ------------------------------------------------------------------------------------------

def _iso(value) -> str | None:
    d = n.parse_date(value)
    return d.isoformat() if d else None


def _years(value) -> str | None:
    years = n.parse_years(value)
    return None if years is None else n.years_text(years)


def _text(limit: int):
    def parse(value):
        text = n.clean_text(value)
        if len(text) > limit:
            raise ValueError(f"内容过长（超过 {limit} 字）：{text[:20]}…")
        return text or None
    return parse


def _uscc(value) -> str | None:
    return n.clean_code(value) or None


BAD_CHECKSUM = "统一社会信用代码校验位不正确"


def entity_spec(overrides: Iterable[str] = ()) -> Spec:
    """The 检查对象名录库. `overrides`: USCCs whose failing checksum the office has checked by hand."""
    overrides = {n.clean_code(o) for o in overrides}

    def validate(values):
        code = values.get("uscc")
        if not code:
            return ["缺少统一社会信用代码"]
        if not uscc.is_well_formed(code):
            return [f"统一社会信用代码格式不正确：{code}（应为 18 位数字或大写字母，不含 I、O、Z、S、V）"]
        return []

    def validate_against(values, current):
        code = values["uscc"]
        if uscc.is_valid(code):
            values["checksum_override"] = False if current is None else current.get("checksum_override", False)
            return []
        if code in overrides or (current and current.get("checksum_override")):
            values["checksum_override"] = True
            return []
        return [f"{BAD_CHECKSUM}（按 GB 32100 应为 {uscc.check_char(code[:17])}）；如经核对无误，可人工确认例外"]

    return Spec(
        kind="entities",
        label="检查对象名录",
        columns=(
            Column("uscc", "统一社会信用代码", ("社会信用代码", "信用代码", "统一代码", "uscc", "统一社会信用代码/注册号"),
                   _uscc, required=True),
            Column("name", "机构名称", ("企业名称", "单位名称", "名称", "主体名称", "市场主体名称", "机构全称",
                                    "学校名称", "培训机构名称", "企业(机构)名称"), _text(200), required=True),
            Column("legal_rep", "法定代表人", ("法人代表", "法人", "负责人", "法定代表人姓名", "法定代表人(负责人)"),
                   _text(64)),
            Column("address", "住所", ("地址", "住所/地址", "经营场所", "住所(经营场所)", "办学地址", "注册地址",
                                     "经营地址"), _text(300)),
            Column("registered_on", "成立日期", ("登记日期", "注册日期", "设立日期", "成立时间", "登记时间",
                                             "成立日期/登记日期"), _iso),
            Column("annual_report_years", "年报情况", ("已年报年度", "年报年度", "年度报告", "年报", "年报年份"), _years),
            Column("status", "登记状态", ("状态", "经营状态", "主体状态", "机构状态"), _text(32)),
            Column("risk_level", "风险等级", ("风险分类", "风险类别", "信用风险等级", "风险", "风险级别",
                                          "信用风险分类"), n.parse_risk, required=True),
            Column("category", "类别", ("机构类别", "主体类别", "类型", "机构类型", "行业类别", "对象类别"), _text(64)),
            Column("phone", "联系电话", ("电话", "手机", "联系方式", "手机号码"), n.parse_phone),
        ),
        required_values=("name", "risk_level"),
        key=lambda values: values.get("uscc") or None,
        key_label="统一社会信用代码",
        validate=validate,
        validate_against=validate_against,
        overridable=lambda reason: reason.startswith(BAD_CHECKSUM),
    )


# --- the inspector roster ------------------------------------------------------------------------------------------

def inspector_spec(departments: dict[str, int], scope: int | None = None, scope_name: str = "") -> Spec:
    """The 执法检查人员名录库. `departments`: name or code → id. `scope`: a department admin's own department."""
    lookup_names = {n.header_key(k): v for k, v in departments.items()}

    def department(value):
        text = n.clean_text(value)
        if not text:
            return None
        if n.header_key(text) in lookup_names:
            return lookup_names[n.header_key(text)]
        raise ValueError(f"部门不存在：{text}")

    def validate(values):
        errors = []
        if not values.get("certificate_no"):
            errors.append("缺少执法证号")
        if values.get("valid_from") and values.get("valid_to") and values["valid_to"] < values["valid_from"]:
            errors.append("有效期止早于有效期起")
        if scope is not None:
            if values.get("department_id") is None:
                values["department_id"] = scope
            elif values["department_id"] != scope:
                errors.append(f"只能导入本部门（{scope_name}）的人员")
        return errors

    def validate_against(values, current):
        if scope is not None and current is not None and current.get("department_id") != scope:
            return ["该执法证号属于其他部门的人员，本部门不能修改"]
        return []

    return Spec(
        kind="inspectors",
        label="执法检查人员名录",
        columns=(
            Column("certificate_no", "执法证号", ("执法证编号", "证件号", "证号", "执法证件号", "行政执法证号",
                                              "执法证件编号"), n.parse_certificate, required=True),
            Column("name", "姓名", ("人员姓名", "执法人员", "执法人员姓名"), _text(64), required=True),
            Column("department_id", "所属部门", ("部门", "单位", "所在单位", "执法部门", "所在部门"), department,
                   required=scope is None),
            Column("valid_from", "有效期起", ("发证日期", "有效期自", "有效起始日期", "起始日期"), _iso),
            Column("valid_to", "有效期止", ("有效期至", "有效期", "截止日期", "有效截止日期", "到期日期"), _iso),
            Column("phone", "联系电话", ("电话", "手机", "手机号码", "联系方式"), n.parse_phone),
            Column("qualifications", "专业资质", ("资质", "专业", "执法领域", "专业领域", "资格"),
                   lambda v: list(n.parse_list(v)) or None),
            Column("is_expert", "专业人员", ("是否专家", "是否专业人员", "专家"), n.parse_bool),
            Column("status", "人员状态", ("状态", "在岗状态"), n.parse_inspector_status),
        ),
        required_values=("name", "department_id"),
        key=lambda values: values.get("certificate_no") or None,
        key_label="执法证号",
        validate=validate,
        validate_against=validate_against,
    )


# --- conflicts of interest -------------------------------------------------------------------------------------

def conflict_key(certificate_no: str, code: str) -> str:
    return f"{certificate_no}|{code}"


def conflict_spec(scope: int | None = None) -> Spec:
    """回避 declarations: an inspector (by 执法证号) must not inspect an entity (by USCC), for a reason."""

    def validate(values):
        errors = []
        if not values.get("certificate_no"):
            errors.append("缺少执法证号")
        if not values.get("uscc"):
            errors.append("缺少统一社会信用代码")
        return errors

    def validate_against(values, current):
        current = current or {}
        errors = []
        if not current.get("_inspector"):
            errors.append("执法证号不在执法人员名录库中")
        elif scope is not None and current.get("_department_id") != scope:
            errors.append("只能为本部门的执法人员登记回避")
        if not current.get("_entity"):
            errors.append("统一社会信用代码不在检查对象名录库中")
        return errors

    return Spec(
        kind="conflicts",
        label="回避关系",
        columns=(
            Column("certificate_no", "执法证号", ("执法证编号", "证号", "执法证件号"), n.parse_certificate, required=True),
            Column("uscc", "统一社会信用代码", ("社会信用代码", "信用代码", "uscc"), _uscc, required=True),
            Column("reason", "回避原因", ("原因", "理由", "回避理由", "关系说明"), _text(300), required=True),
            # For the reader of the file only: never compared or stored.
            Column("_inspector_name", "姓名", ("执法人员", "人员姓名"), _text(64)),
            Column("_entity_name", "机构名称", ("企业名称", "单位名称", "名称"), _text(200)),
        ),
        required_values=("reason",),
        key=lambda v: conflict_key(v["certificate_no"], v["uscc"]) if v.get("certificate_no") and v.get("uscc") else None,
        key_label="执法证号和统一社会信用代码",
        validate=validate,
        validate_against=validate_against,
    )

