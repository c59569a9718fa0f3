"""Planning an import, row by row, without touching the database: which rows create, update, leave unchanged or
are rejected (with the reason in Chinese). The caller supplies a `lookup` of what is stored now and applies the
plan in one transaction. Three kinds: the object directory, the inspector roster, conflicts of interest (回避).

Values are kept JSON-ready (dates as ISO strings, years as "2021,2022") so a preview can be stored and applied
later exactly as shown.
"""
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator

from webapp.domain import annual_report, columns, uscc
from webapp.domain import normalise as n

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
    # A column the synonyms cannot list (e.g. "2022年报状态"): header or field name → its Column, else None.
    extra: Callable[[str], Column | None] = lambda text: None
    # A file without the columns a new record needs still updates existing records if it has one of these.
    update_columns: tuple[str, ...] = ()
    # Fields where "" is a value (no years filed), not an empty cell.
    clearable: tuple[str, ...] = ()
    # The fields `key` reads (parsed first, alone, to find duplicates); empty: all of them.
    key_fields: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return next((c for c in self.columns if c.name == name), None) or self.extra(name)

    @property
    def labels(self) -> dict[str, str]:
        return {c.name: c.label for c in self.columns}


@dataclass
class HeaderMatch:
    colmap: dict[str, int]  # field -> column index
    unknown: list[str]  # headers not matched (ignored unless mapped)
    missing: list[str]  # required fields without a column
    duplicated: list[str]  # fields claimed by two columns
    update_only: bool = False  # no column a new record needs: the file updates existing records only

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
        extra = spec.extra(header)
        if keys[0] in mapping:
            name = mapping[keys[0]] or None
            if name and name not in spec.labels:
                name = None
        elif extra is not None:
            name = extra.name
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
    update_only = bool(missing) and set(missing) <= set(spec.required_values) and any(
        f in spec.update_columns or f not in spec.labels for f in colmap)  # (an extra column counts)
    return HeaderMatch(colmap, unknown, [] if update_only else missing, sorted(set(duplicated)), update_only)


@dataclass(slots=True)  # 100,000 of them are held while a file's duplicates are found
class RowPlan:
    line: int
    action: str
    key: str | None
    values: dict
    cells: list  # as read; `raw` is their text, stored for rejected rows only, so made on demand
    reasons: list[str] = field(default_factory=list)
    changes: dict = field(default_factory=dict)  # field -> [old, new]
    overridable: bool = False
    notes: list[str] = field(default_factory=list)  # what was not read, on a row that is imported all the same

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


def parse_chunk(rows: list[list], parsers: list[tuple[str, int, Callable]]) -> tuple[list[dict], list]:
    """Each row's values and errors (a list in the parsers' order, None for none). `parsers`: (field, column index,
    `columns.column_parser(parse)`), a column at a time."""
    names, value_columns, errors = [], [], {}
    for name, index, run in parsers:
        values, failed = run(columns.cells_of(rows, index))
        names.append(name)
        value_columns.append(values)
        if failed is not None:
            for i, error in enumerate(failed):
                if error is not None:
                    errors.setdefault(i, []).append(error)
    parsed = [dict(zip(names, values)) for values in zip(*value_columns)] if names else [{} for _ in rows]
    return parsed, [errors.get(i) for i in range(len(rows))] if errors else [None] * len(rows)


def _blank(cells: list) -> bool:
    for c in cells:  # (a loop: a row's first cell usually says it is not blank)
        if c is None:
            continue
        if type(c) is not str or (c and not c[0].isspace() and c[0] not in _INVISIBLE) or n.clean_text(c):
            return False  # (text starting with a visible character is not blank: no clean_text for most rows)
    return True


_INVISIBLE = "\u200b\ufeff"  # what clean_text removes besides spaces


def plan(rows: Iterable[tuple[int, list]], spec: Spec, colmap: dict[str, int],
         lookup: Callable[[list[str]], dict[str, dict]], summary: Summary | None = None,
         update_only: bool = False) -> Iterator[RowPlan]:
    """Plan every non-blank row. `lookup(keys)` returns the stored values of those keys that exist (same
    representation as parsed values; names starting with "_" are context, never compared). `update_only`: a
    key not stored yet is rejected (the file lacks what a new record needs)."""
    summary = summary if summary is not None else Summary()
    parsers = [(name, index, columns.column_parser(spec.column(name).parse)) for name, index in colmap.items()]
    # Two passes: the keys alone first (duplicates are found over the whole file), then each chunk in full. A file
    # (tabular.Rows) is read again for the second, so that only a chunk's cells are held at once, not a
    # 100,000-row file's (rows that can be read only once are kept).
    if iter(rows) is rows:
        rows = list(rows)
    key_parsers = [p for p in parsers if p[0] in spec.key_fields] if spec.key_fields else parsers
    keys: list[str | None] = []  # of each non-blank row, in order
    first: dict[str, int] = {}  # key → its first line
    lines_of: dict[str, list[int]] = {}  # key → its lines, for keys on more than one line
    for part in _chunks(rows, summary):
        for (line, _), values in zip(part, parse_chunk([cells for _, cells in part], key_parsers)[0]):
            key = spec.key(values)
            keys.append(key)
            if key:
                if key in first:
                    lines_of.setdefault(key, [first[key]]).append(line)
                else:
                    first[key] = line
    del first
    done = 0
    for part in _chunks(rows):
        chunk = []
        for (line, cells), key, values, errors in zip(part, keys[done:done + len(part)],
                                                      *parse_chunk([cells for _, cells in part], parsers)):
            if not errors:
                errors = spec.validate(values)
            row = RowPlan(line, REJECTED if errors else "", key, values, cells, errors)
            lines = lines_of.get(key or "", ())
            if lines:
                others = "、".join(str(x) for x in lines if x != line)
                row.reasons.append(f"文件中重复：第 {others} 行也是同一{spec.key_label}")
                row.action = REJECTED
            chunk.append(row)
        done += len(part)
        current = lookup([r.key for r in chunk if r.key and r.action != REJECTED])
        for row in chunk:
            if row.action != REJECTED:
                _decide(row, spec, current.get(row.key), update_only)
            summary.counts[row.action] += 1
            yield row


def _chunks(rows: Iterable[tuple[int, list]], summary: Summary | None = None) -> Iterator[list[tuple[int, list]]]:
    """The non-blank rows, CHUNK at a time; the blank ones counted in `summary` if given."""
    part = []
    for line, cells in rows:
        if _blank(cells):
            if summary is not None:
                summary.blank += 1
            continue
        part.append((line, cells))
        if len(part) == CHUNK:
            yield part
            part = []
    if part:
        yield part


def _decide(row: RowPlan, spec: Spec, current: dict | None, update_only: bool = False):
    reasons = spec.validate_against(row.values, current)
    row.notes = row.values.pop("_notes", [])
    if update_only and (current is None or current.get("_new")):
        reasons.append(f"名录库中没有该{spec.key_label}（本文件只更新已有记录，不能新增）")
    elif current is None or current.get("_new"):
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
    def stored(name):
        return current.get(name) or "" if name in spec.clearable else current.get(name)

    changes = {
        name: [current.get(name), value]
        for name, value in row.values.items()
        if value is not None and (value != "" or name in spec.clearable) and not name.startswith("_")
        and value != stored(name)
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
    parse.column = columns.text_column(limit)  # the same, a column at a time (columns.column_parser)
    return parse


def _uscc(value) -> str | None:
    return n.clean_code(value) or None


_uscc.column = columns.code_column


BAD_CHECKSUM = "统一社会信用代码校验位不正确"


def _year_column(text: str) -> Column | None:
    year = annual_report.field_year(text) or annual_report.header_year(text)
    if year is None:
        return None
    return Column(annual_report.field_name(year), f"{year}年度年报", (), annual_report.parse_filed)


def _merge_years(values: dict, current: dict | None):
    """The years of the year-carrying columns applied to the 年报情况 column's (or the stored) years."""
    marks, notes = {}, []
    for name, year in _year_fields(tuple(values)):
        mark = values.pop(name)
        if isinstance(mark, bool):
            marks[year] = mark
        elif mark is not None:
            notes.append(annual_report.unreadable_note(year, mark))
    if notes:
        values["_notes"] = values.get("_notes", []) + notes
    if marks:
        base = values.get("annual_report_years")
        values["annual_report_years"] = _merged(
            base if base is not None else (current or {}).get("annual_report_years"), tuple(marks.items()))


@lru_cache(maxsize=64)
def _year_fields(names: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """(field, year) of the year-carrying columns among a row's fields (every row of a file has the same)."""
    return tuple((k, annual_report.field_year(k)) for k in names
                 if k.startswith(annual_report.PREFIX) and annual_report.field_year(k))


@lru_cache(maxsize=4096)
def _merged(base: str | None, marks: tuple[tuple[int, bool], ...]) -> str:
    return annual_report.merge(base, dict(marks))


def entity_spec(overrides: Iterable[str] = (), place: Callable[[dict, dict | None], str | None] | None = None
                ) -> Spec:
    """The 检查对象名录库. `overrides`: USCCs whose failing checksum the office has checked by hand. `place`:
    (values, current) → why the row is not the importing office's to write (不属本辖区), or None."""
    overrides = {n.clean_code(o) for o in overrides}

    def validate(values):
        code = values.get("uscc")
        if not code:
            return ["缺少统一社会信用代码"]
        if not uscc.is_well_formed(code):
            return [f"统一社会信用代码格式不正确：{code}（应为 18 位数字或大写字母，不含 I、O、Z、S、V）"]
        return []

    def validate_against(values, current):
        elsewhere = place(values, current) if place else None
        if elsewhere:
            return [elsewhere]
        _merge_years(values, current)
        return checksum(values, current)

    def checksum(values, current):
        code = values["uscc"]
        if uscc.check_char(code[:17]) == code[17]:  # (`validate` found it well formed)
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
            # Where it is registered (for 不属本辖区), not stored: e.g. 保定市竞秀区市场监督管理局.
            Column("_authority", "登记机关", ("登记管辖机关", "登记机构", "管辖机关", "所属辖区", "管辖单位"),
                   _text(200)),
        ),
        required_values=("name", "risk_level"),
        key=lambda values: values.get("uscc") or None,
        key_label="统一社会信用代码",
        validate=validate,
        validate_against=validate_against,
        overridable=lambda reason: reason.startswith(BAD_CHECKSUM),
        extra=_year_column,
        key_fields=("uscc",),
        update_columns=("status", "annual_report_years"),
        clearable=("annual_report_years",),
    )
