"""The findings the phone signs: their canonical JSON and hash, and the rules a submitted 一企一表 must meet.

No Flask, no database: the caller passes the record's plan items and team as plain data, so the same checks
serve the sync API, a verifier and the tests. Messages are in Chinese, for the inspector's screen.

Canonical JSON (the phone does the same in JavaScript): keys sorted, separators "," and ":", no ASCII
escaping, UTF-8. findings_hash = SHA-256 hex of the canonical JSON of
{"findings": findings, "result_codes": sorted(result_codes)}.
"""
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from webapp.domain import results

METHODS = ("document", "onsite", "online", "adopt")
ADOPT = "adopt"  # adopting another department's or a professional body's conclusion: open to every item
ONSITE = "onsite"
# "amendment": a photo a 补充说明 carries (the reviewer asked for 补拍照片), uploaded while the record is returned.
MEDIA_KINDS = ("photo", "signature", "seal", "evidence", "amendment")
AMENDMENT_MEDIA = "amendment"

SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_NOTE = 2000
MAX_PHOTOS = 30


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def findings_hash(findings, result_codes) -> str:
    """What the signature is bound to: the findings and the sorted result codes."""
    body = canonical_json({"findings": findings, "result_codes": sorted(result_codes)})
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def body_digest(body) -> str:
    """Digest of a whole submission, to tell an identical replay from different content under one client id."""
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def is_sha256(value) -> bool:
    return isinstance(value, str) and bool(SHA256.match(value))


@dataclass(frozen=True)
class Item:
    """A plan item as the record carries it."""

    plan_item_id: int
    department_id: int
    title: str
    methods: tuple[str, ...]
    check_points: tuple[str, ...]


@dataclass(frozen=True)
class Member:
    certificate_no: str
    name: str
    kind: str  # drawn | expert


@dataclass
class Checked:
    errors: list[str] = field(default_factory=list)
    media: set[str] = field(default_factory=set)  # every SHA-256 the submission refers to
    any_failed: bool = False
    onsite: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _has_float(value) -> bool:
    # JavaScript and Python print some floats differently; whole numbers only, so both hash the same bytes.
    # A walk with a stack, not recursion through generators: a third less CPU on a full 一企一表.
    todo = [value]
    while todo:
        value = todo.pop()
        if isinstance(value, float):
            return True
        if isinstance(value, dict):
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return False


def _objects(value) -> bool:
    """A JSON array of objects (departments, items, check points)."""
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _each_once(entries, expected: dict, key: str, out: Checked, unknown, repeated, missing):
    """The entries that name an expected thing (their `key`: a department, a plan item, a check point) for the
    first time, with that thing. Naming what is not expected, naming a thing again, or leaving an expected thing
    unnamed is an error, worded by `unknown`, `repeated` and `missing` from the name."""
    seen = set()
    for entry in entries:
        name = entry.get(key)
        if not isinstance(name, (str, int)) or isinstance(name, bool) or name not in expected:
            out.errors.append(unknown(name))
        elif name in seen:
            out.errors.append(repeated(name))
        else:
            seen.add(name)
            yield entry, expected[name]
    for name in expected:
        if name not in seen:
            out.errors.append(missing(name))


def _photos(value, where: str, out: Checked):
    if value is None:
        return
    if not isinstance(value, list) or not all(is_sha256(s) for s in value):
        out.errors.append(f"{where}的照片列表格式不正确。")
        return
    if len(value) > MAX_PHOTOS:
        out.errors.append(f"{where}的照片不能超过 {MAX_PHOTOS} 张。")
    out.media.update(value)


def _note(value, where: str, out: Checked) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        out.errors.append(f"{where}的说明格式不正确。")
        return ""
    if len(value) > MAX_NOTE:
        out.errors.append(f"{where}的说明不能超过 {MAX_NOTE} 字。")
    return value.strip()


def _check_item(entry, item: Item, out: Checked):
    where = f"“{item.title}”"
    method = entry.get("method")
    allowed = set(item.methods or METHODS) | {ADOPT}
    if method not in allowed:
        out.errors.append(f"{where}请选择检查方式。" if not method else f"{where}的检查方式不在本事项允许的范围内。")
    out.onsite |= method == ONSITE
    points = entry.get("points")
    if not _objects(points):
        out.errors.append(f"{where}的检查要点格式不正确。")
        return
    for point, text in _each_once(
        points, {text: text for text in item.check_points}, "text", out,
        unknown=lambda text: f"{where}没有检查要点“{text}”。",
        repeated=lambda text: f"{where}的检查要点“{text}”重复填写。",
        missing=lambda text: f"{where}的检查要点“{text}”未填写。",
    ):
        result = point.get("result")
        if result not in results.ITEM_RESULTS:
            out.errors.append(f"{where}的检查要点“{text}”未填写结果（符合/不符合/不涉及）。")
        note = _note(point.get("note"), f"{where}的检查要点“{text}”", out)
        if result == "fail":
            out.any_failed = True
            if not note:
                out.errors.append(f"{where}的检查要点“{text}”为不符合，须填写说明。")
        _photos(point.get("photos"), f"{where}的检查要点“{text}”", out)


def _check_team(team, members: dict[str, Member], out: Checked) -> set[str]:
    if not isinstance(team, dict):
        out.errors.append("请确认到场的检查人员。")
        return set()
    present = team.get("present")
    if not isinstance(present, list) or not all(isinstance(c, str) for c in present):
        out.errors.append("请确认到场的检查人员。")
        return set()
    if len(set(present)) != len(present):
        out.errors.append("到场人员有重复。")
    strangers = [c for c in present if c not in members]
    if strangers:
        out.errors.append("到场人员不属于本检查组：" + "、".join(strangers))
    present = {c for c in present if c in members}
    officers = [c for c in present if members[c].kind != "expert"]
    if not officers:
        out.errors.append("请确认至少一名执法人员到场。")
    if out.onsite:
        # 行政处罚法 Art. 42: a site check needs at least two officers, in uniform, showing their credentials.
        if len(officers) < 2:
            out.errors.append("实地核查须至少两名执法人员到场。")
        if team.get("uniform") is not True:
            out.errors.append("实地核查须确认执法人员着装规范。")
        if team.get("credentials_shown") is not True:
            out.errors.append("实地核查须确认已出示执法证件。")
    return present


def check_findings(findings, result_codes, items: list[Item], department_ids: list[int],
                   members: dict[str, Member]) -> Checked:
    """Check the findings against the record's departments, plan items and team, and the result rules.

    `members` maps certificate_no -> Member. Returns the errors and the media the findings refer to."""
    out = Checked()
    if not isinstance(findings, dict):
        out.errors.append("缺少检查结果。")
        return out
    if not isinstance(result_codes, list) or not all(isinstance(c, str) for c in result_codes):
        out.errors.append("检查结果类别格式不正确。")
        return out
    if _has_float(findings):
        out.errors.append("检查结果中不能含有小数。")
        return out
    departments = findings.get("departments")
    if not _objects(departments):
        out.errors.append("检查结果缺少各部门的检查事项。")
        return out

    by_department: dict[int, dict[int, Item]] = {d: {} for d in department_ids}
    for item in items:
        by_department.setdefault(item.department_id, {})[item.plan_item_id] = item
    for entry, plan_items in _each_once(
        departments, by_department, "department_id", out,
        unknown=lambda department_id: f"检查结果中有不属于本次检查的部门（{department_id}）。",
        repeated=lambda department_id: f"部门（{department_id}）的检查结果重复。",
        missing=lambda department_id: f"缺少部门（{department_id}）的检查结果。",
    ):
        entries = entry.get("items")
        if not _objects(entries):
            out.errors.append(f"部门（{entry['department_id']}）的检查事项格式不正确。")
            continue
        for item_entry, item in _each_once(
            entries, plan_items, "plan_item_id", out,
            unknown=lambda plan_item_id: f"检查结果中有不属于该部门的检查事项（{plan_item_id}）。",
            repeated=lambda plan_item_id, items=plan_items: f"“{items[plan_item_id].title}”重复填写。",
            missing=lambda plan_item_id, items=plan_items: f"“{items[plan_item_id].title}”未填写。",
        ):
            _check_item(item_entry, item, out)

    _check_team(findings.get("team"), members, out)
    _note(findings.get("remarks"), "备注", out)
    inner = findings.get("result_codes")
    if inner is not None and (not isinstance(inner, list) or sorted(set(inner)) != sorted(set(result_codes))):
        out.errors.append("检查结果内外的结果类别不一致。")
    if len(set(result_codes)) != len(result_codes):
        out.errors.append("结果类别有重复。")
    out.errors.extend(results.validate(result_codes, out.any_failed))
    return out


def check_signature(signature_sha, seal_sha, refusal, members: dict[str, Member], present: set[str] | None = None,
                    out: Checked | None = None) -> Checked:
    """The legal representative signs, or the refusal is recorded truthfully: one of the two, never both."""
    out = out or Checked()
    for name, value in (("签字", signature_sha), ("印章", seal_sha)):
        if value is not None and not is_sha256(value):
            out.errors.append(f"{name}图片的校验值格式不正确。")
    if signature_sha is not None and refusal is not None:
        out.errors.append("签字与拒绝签字只能二选一。")
    elif signature_sha is None and refusal is None:
        out.errors.append("须由法定代表人（负责人）签字，或如实记录拒绝签字的情况。")
    if seal_sha is not None and signature_sha is None:
        out.errors.append("未签字的记录不能附企业印章。")
    if is_sha256(signature_sha):
        out.media.add(signature_sha)
    if is_sha256(seal_sha):
        out.media.add(seal_sha)
    if refusal is None:
        return out
    if not isinstance(refusal, dict):
        out.errors.append("拒绝签字的记录格式不正确。")
        return out
    note = refusal.get("note")
    if not isinstance(note, str) or not note.strip():
        out.errors.append("拒绝签字须填写情况说明。")
    elif len(note) > MAX_NOTE:
        out.errors.append(f"拒绝签字的情况说明不能超过 {MAX_NOTE} 字。")
    confirmed = refusal.get("confirmed_by")
    if not isinstance(confirmed, list) or not all(isinstance(c, str) for c in confirmed):
        confirmed = []
    officers = {c for c in confirmed if c in members and members[c].kind != "expert"}
    if len(officers) < 2:
        out.errors.append("拒绝签字须由两名本组执法人员确认。")
    if present is not None and officers - present:
        out.errors.append("确认拒绝签字的执法人员须在到场人员之中。")
    _photos(refusal.get("evidence"), "拒绝签字", out)
    return out


def check_submission(findings, result_codes, signature_sha, seal_sha, refusal, claimed_hash,
                     items: list[Item], department_ids: list[int], members: dict[str, Member]) -> Checked:
    """Everything a submitted record must meet, short of the media being on the server (the caller checks)."""
    out = check_findings(findings, result_codes, items, department_ids, members)
    present = set()
    team = findings.get("team") if isinstance(findings, dict) else None
    if isinstance(team, dict) and isinstance(team.get("present"), list):
        present = {c for c in team["present"] if isinstance(c, str)}
    check_signature(signature_sha, seal_sha, refusal, members, present, out)
    if not is_sha256(claimed_hash):
        out.errors.append("缺少检查结果的校验值（findings_hash）。")
    elif isinstance(findings, dict) and isinstance(result_codes, list) and all(isinstance(c, str) for c in result_codes):
        try:
            actual = findings_hash(findings, result_codes)
        except (TypeError, ValueError):
            actual = None
        if actual != claimed_hash:
            out.errors.append("检查结果的校验值与内容不一致，签字所对应的内容可能被改动，请在手机上重新核对。")
    return out


def remaining_workdays(calendar, today: date, due: date) -> int:
    """Working days left to sync, counting today if it is one and the due day itself (0 once it has passed)."""
    if today > due:
        return 0
    return calendar.workdays_between(today - timedelta(days=1), due)


def sync_deadline_text(calendar, today: date, due: date, provisional: bool = False) -> str:
    """"须于 YYYY-MM-DD 前同步（剩余 N 个工作日）", as the phone shows it."""
    if today > due:
        text = f"须于 {due.isoformat()} 前同步（已逾期）"
    else:
        text = f"须于 {due.isoformat()} 前同步（剩余 {remaining_workdays(calendar, today, due)} 个工作日）"
    return text + ("，期限为推算值" if provisional else "")
