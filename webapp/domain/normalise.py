"""Normalising cell values as offices type them: full-width characters, stray spaces, dates in four spellings,
risk levels in several vocabularies, annual-report years, yes/no flags. Each parser raises ValueError with a
message in Chinese that the import shows next to the row."""
import re
from datetime import date, datetime, timedelta

from webapp.domain import risk

# Full-width ASCII (U+FF01..U+FF5E) to half-width, and the ideographic space to a plain one.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALFWIDTH[0x3000] = 0x20
_SPACES = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")


def halfwidth(text: str) -> str:
    return text.translate(_HALFWIDTH)


def cell_text(value) -> str:
    """A cell as text: numbers Excel stored as floats lose their ".0" (phone 5078771.0 → "5078771")."""
    if type(value) is str:  # most cells: first, without the checks below
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d") if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_ODD_SPACE = re.compile(r"[^\S ]|  |[\u00a0\u3000\u200b\ufeff]")


def clean_text(value) -> str:
    """Names and addresses: stray, repeated and odd spaces removed; Chinese punctuation such as （） kept."""
    text = cell_text(value)
    if _ODD_SPACE.search(text) is None:  # most cells: nothing to replace, a search is cheaper than the rewrite
        return text.strip()
    return _SPACES.sub(" ", text).strip()


def clean_code(value) -> str:
    """Codes and numbers: half-width, no spaces at all, upper case (USCC, certificate numbers)."""
    return _SPACES.sub("", halfwidth(cell_text(value))).upper()


# --- dates -----------------------------------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 1900-02-29
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{3,5}(\.0+)?$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _ymd(y: int, m: int, d: int, shown: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise ValueError(f"日期不存在：{shown}") from None


def _serial(n: float, shown: str) -> date:
    if not 1 <= n < 73051:  # up to 2099-12-31
        raise ValueError(f"日期格式无法识别：{shown}")
    return EXCEL_EPOCH + timedelta(days=int(n))


def parse_date(value) -> date | None:
    """2023-06-01, 2023/6/1, 2023.6.1, 2023年6月1日, 20230601, an Excel serial number, or a real date cell."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = cell_text(value)
        if _COMPACT.match(shown):
            return _ymd(int(shown[:4]), int(shown[4:6]), int(shown[6:]), shown)
        return _serial(float(value), shown)
    text = _TIME_TAIL.sub("", halfwidth(clean_text(value))).strip()
    if not text:
        return None
    if m := _YMD.match(text):
        return _ymd(int(m[1]), int(m[2]), int(m[3]), text)
    if m := _COMPACT.match(text):
        return _ymd(int(m[1]), int(m[2]), int(m[3]), text)
    if _SERIAL.match(text):
        return _serial(float(text), text)
    raise ValueError(f"日期格式无法识别：{text}")


# --- risk levels -----------------------------------------------------------------------------------------------

_RISK = {
    # Numbered levels (一级, Ⅱ级, 中风险) are left out on purpose: offices number them in both directions.
    "高": risk.HIGH, "A": risk.HIGH, "HIGH": risk.HIGH,
    "较高": risk.HIGHER, "B": risk.HIGHER, "HIGHER": risk.HIGHER,
    "一般": risk.GENERAL, "C": risk.GENERAL, "GENERAL": risk.GENERAL,
    "低": risk.LOW, "较低": risk.LOW, "D": risk.LOW, "LOW": risk.LOW,
}
_RISK_NOISE = re.compile(r"(风险|等级|级|类|档)")


def parse_risk(value) -> str | None:
    """高/较高/一般/低, A–D, 高风险, A级, B类 … to high|higher|general|low. Empty → None."""
    text = clean_code(value)
    if not text:
        return None
    key = _RISK_NOISE.sub("", text)
    if key in _RISK:
        return _RISK[key]
    raise ValueError(f"风险等级无法识别：{clean_text(value)}（应为 高/较高/一般/低 或 A/B/C/D）")


# --- annual reports --------------------------------------------------------------------------------------------

_YEAR_SPLIT = re.compile(r"[,，、;；/|\s和及]+")
_YEAR = re.compile(r"(19[89]\d|20\d\d)")
_NONE_WORDS = {"无", "未年报", "未报", "否", "-", "—", "/"}
_YEARS_LISTED = re.compile(r"^(?:19[89]\d|20\d\d)(?:,(?:19[89]\d|20\d\d))*$")


def parse_years(value) -> tuple[int, ...] | None:
    """Annual-report years filed: "2021,2022", "2021、2022年", "2022年度已报", 2022. A year marked 未 is not filed.
    Empty → None (unknown); 无 → ()."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = cell_text(value)
    text = halfwidth(clean_text(value))
    if not text:
        return None
    if text in _NONE_WORDS:
        return ()
    if _YEARS_LISTED.match(text):  # "2021,2022" as exports and this module write it: no need to tokenise
        return tuple(sorted({int(y) for y in text.split(",")}))
    years = set()
    for token in _YEAR_SPLIT.split(text):
        if not token:
            continue
        found = _YEAR.findall(token)
        if not found:
            if token in _NONE_WORDS or token in ("已报", "已年报", "年度", "年"):
                continue
            raise ValueError(f"年报情况无法识别：{text}（应为已报送年报的年度，如 2021,2022）")
        if "未" in token:
            continue
        years.update(int(y) for y in found)
    return tuple(sorted(years))


def years_text(years) -> str:
    return ",".join(str(y) for y in sorted(years))


# --- flags and small vocabularies ------------------------------------------------------------------------------

def _word(value, meanings: dict, unknown: str):
    """What a cell from a small vocabulary means; None for an empty cell, ValueError(`unknown` with the cell as
    written) for a word not in it."""
    text = clean_code(value)
    if not text:
        return None
    try:
        return meanings[text]
    except KeyError:
        raise ValueError(unknown.format(clean_text(value))) from None


_BOOLEANS = {
    **dict.fromkeys(("是", "Y", "YES", "TRUE", "1", "√", "✓", "专家", "专业人员", "有"), True),
    **dict.fromkeys(("否", "N", "NO", "FALSE", "0", "×", "无", "不是"), False),
}
_INSPECTOR_STATUSES = {
    **dict.fromkeys(("在岗", "正常", "有效", "在职", "ACTIVE"), "active"),
    **dict.fromkeys(("休假", "离岗", "病假", "借调", "停用", "暂停", "休假/离岗", "ON_LEAVE"), "on_leave"),
}


def parse_bool(value) -> bool | None:
    return _word(value, _BOOLEANS, "无法识别“{}”，请填写 是 或 否")


def parse_inspector_status(value) -> str | None:
    return _word(value, _INSPECTOR_STATUSES, "人员状态无法识别：{}（应为 在岗 或 休假/离岗）")


_LIST_SPLIT = re.compile(r"[,，、;；/|]+")


def parse_list(value) -> tuple[str, ...]:
    return tuple(t for t in (clean_text(x) for x in _LIST_SPLIT.split(halfwidth(clean_text(value)))) if t)


_CERT = re.compile(r"[A-Z0-9][A-Z0-9-]{1,63}")


def _whole(text: str, pattern: re.Pattern, message: str) -> str | None:
    """`text` when `pattern` matches all of it, None when it is empty; otherwise ValueError(message)."""
    if not text:
        return None
    if not pattern.fullmatch(text):
        raise ValueError(message)
    return text


def parse_certificate(value) -> str | None:
    """执法证号: ASCII letters, digits and hyphens only (the inspector draw hashes it)."""
    return _whole(clean_code(value), _CERT, f"执法证号只能包含字母、数字和连字符：{clean_text(value)}")


PHONE = re.compile(r"[0-9+\-()（）转,，/]{5,32}")


def parse_phone(value) -> str | None:
    return _whole(_SPACES.sub("", halfwidth(cell_text(value))), PHONE, f"电话号码无法识别：{clean_text(value)}")


# --- headers ---------------------------------------------------------------------------------------------------

_HEADER_NOISE = re.compile(r"[\s*＊:：]")
_PAREN = re.compile(r"[(（][^)）]*[)）]")


def header_key(text: str) -> str:
    """A header as compared: half-width, no spaces or required-field stars, lower case."""
    return _HEADER_NOISE.sub("", halfwidth(clean_text(text))).lower()


def header_keys(text: str) -> tuple[str, ...]:
    """The header, and the header without a parenthetical note: 住所（经营场所） also matches 住所."""
    full = header_key(text)
    bare = header_key(_PAREN.sub("", halfwidth(clean_text(text))))
    return (full, bare) if bare and bare != full else (full,)
