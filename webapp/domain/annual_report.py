"""Annual-report columns that carry their year, as registration and credit-publicity exports write them:
"2022年度年报", "2022年报状态", "年报（2022）", "2022年度报告" with 已年报/未年报, 已报/未报, 是/否, √/×, Y/N.

Each such column becomes the field `_ar<year>` of the object directory's import (a leading "_": context, never
compared or stored as such); the entity's `annual_report_years` is then the stored years (or those of a 年报情况
column in the same file), plus the years marked filed, minus those marked not filed.
"""
import re

from webapp.domain import normalise as n

PREFIX = "_ar"
_NAME = re.compile(r"^_ar((?:19|20)\d\d)$")
_YEAR = r"((?:19[89]|20\d)\d)"
# The header, half-width, without spaces: a year and 年报/年度报告 in either order, a few trailing words allowed.
_HEADERS = (
    re.compile(rf"^{_YEAR}年?度?(?:企业)?(?:年报|年度报告|报告)(?:状态|情况|报送情况|报送状态|是否报送|报送)?$"),
    re.compile(rf"^(?:是否报送)?(?:企业)?(?:年报|年度报告)(?:状态|情况|报送情况)?[(\[【]?{_YEAR}年?度?[)\]】]?$"),
)
FILED_WORDS = {"已年报", "已报", "已报送", "已申报", "已公示", "是", "√", "✓", "✔", "y", "yes", "1", "true", "已提交"}
NOT_FILED_WORDS = {"未年报", "未报", "未报送", "未申报", "未公示", "否", "×", "✗", "✘", "x", "n", "no", "0", "false",
                   "无", "未提交"}
SHOWN_WORDS = "已年报/未年报、已报/未报、是/否、√/×、Y/N"


def header_year(header: str) -> int | None:
    """The year an annual-report header names, or None for any other header."""
    text = re.sub(r"[\s*＊:：]", "", n.halfwidth(n.clean_text(header))).replace("（", "(").replace("）", ")")
    for pattern in _HEADERS:
        found = pattern.match(text)
        if found:
            return int(found.group(1))
    return None


def field_year(name: str) -> int | None:
    found = _NAME.match(name or "")
    return int(found.group(1)) if found else None


def field_name(year: int) -> str:
    return f"{PREFIX}{year}"


def parse_filed(value):
    """True (filed), False (not filed), None (empty), or the text as written when it says neither."""
    text = n.halfwidth(n.clean_text(value)).lower() if value is not None else ""
    if isinstance(value, bool):
        return value
    if not text:
        return None
    if text in FILED_WORDS:
        return True
    if text in NOT_FILED_WORDS:
        return False
    return n.clean_text(value)


def unreadable_note(year: int, text: str) -> str:
    return f"{year} 年度年报一列的值“{text}”无法识别（应为 {SHOWN_WORDS}），该年度年报情况未导入，本行其他信息照常导入"


def merge(base: str | None, marks: dict[int, bool]) -> str:
    """`base` ("2021,2022" or None) with the years marked filed added and those marked not filed removed."""
    years = {int(y) for y in base.split(",") if y.strip().isdigit()} if base else set()  # as stored: "2021,2022"
    for year, filed in marks.items():
        (years.add if filed else years.discard)(year)
    return n.years_text(sorted(years))


def read_as(headers: list[str], colmap: dict[str, int]) -> list[tuple[str, int]]:
    """(header, year) for each annual-report column the match read by its year: what the preview says."""
    out = []
    for name, index in colmap.items():
        year = field_year(name)
        if year is not None and index < len(headers):
            out.append((headers[index], year))
    return sorted(out, key=lambda pair: (pair[1], pair[0]))
