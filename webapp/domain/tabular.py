"""Reading the spreadsheets offices really have: XLSX, legacy XLS and ODS (python-calamine), and CSV in UTF-8 (with or without BOM), GBK or GB18030,
detected without asking. Rows come back as lists of raw cell values; normalising is `domain.normalise`'s job."""
import csv
import io
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from webapp.domain.normalise import clean_text
from webapp.domain.refusal import Refused


class NotASpreadsheet(Refused):
    """The file cannot be read as a table; the message says why, in Chinese."""

    status = 422


@dataclass
class Table:
    format: str  # "XLSX" | "XLS" | "ODS" | "CSV"
    encoding: str | None  # for CSV: UTF-8, UTF-8-BOM, GBK, GB18030, UTF-16
    header_line: int  # 1-based line of the header row
    headers: list[str]
    rows: Iterable[tuple[int, list]] = field(repr=False)  # (1-based line, cells) after the header: `Rows`
    lines: int | None = None  # how many lines the file has (about, for CSV): a progress bar's total


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n")
    return controls > 0


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding. GBK is tried before GB18030 so the label says what offices know."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8-BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text": UTF-16, tab separated
        return data.decode("utf-16"), "UTF-16"
    for codec, label in (("utf-8", "UTF-8"), ("gbk", "GBK"), ("gb18030", "GB18030")):
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    raise NotASpreadsheet("无法识别文件的文字编码（支持 UTF-8、GBK、GB18030），请在 Excel 中另存为 .xlsx 后再导入。")


def _nonblank(cells) -> bool:
    return any(clean_text(c) for c in cells)


class Rows:
    """A file's rows after its header line, read again from the parsed file each time they are iterated (an
    import plans in two passes; holding a 100,000-row sheet's cells as Python objects took over 100 MB)."""

    def __init__(self, read: Callable[[], Iterator[tuple[int, list]]], header_line: int):
        self._read, self._after = read, header_line

    def __iter__(self) -> Iterator[tuple[int, list]]:
        for line, cells in self._read():
            if line > self._after:
                yield line, cells

    def close(self):
        """Let the parsed file go."""
        self._read = lambda: iter(())


def _with_header(read: Callable[[], Iterator[tuple[int, list]]]) -> tuple[int, list[str], Rows]:
    for line, cells in read():
        if _nonblank(cells):
            return line, [clean_text(c) for c in cells], Rows(read, line)
    raise NotASpreadsheet("文件中没有任何数据（找不到表头行）。")


NOT_A_SPREADSHEET = "文件不是电子表格（XLSX、XLS、ODS 或 CSV），请检查后重新选择文件。"


def read_csv(data: bytes) -> Table:
    text, encoding = decode_csv(data)
    if _looks_binary(text[:8192]):
        raise NotASpreadsheet(NOT_A_SPREADSHEET)
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample.split("\n", 5)[0] + "\n", delimiters=",\t;|，").delimiter
    except csv.Error:
        delimiter = ","
    def rows():
        return enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)

    line, headers, rest = _with_header(rows)
    if len(headers) < 2:
        raise NotASpreadsheet("文件不像表格：表头只有一列。请确认是以逗号分隔的 CSV 或 .xlsx 文件。")
    return Table(CSV, encoding, line, headers, rest, text.count("\n") + 1)


# Workbook formats python-calamine reads (a Rust reader, many times faster than openpyxl's standard-library XML
# parsing: over half of a 100,000-row import was openpyxl's reader). openpyxl stays for writing.
XLSX, XLS, ODS, CSV = "XLSX", "XLS", "ODS", "CSV"
_BROKEN = {
    XLSX: "文件不是有效的 XLSX 工作簿，可能已损坏。请在 Excel 中重新保存后再导入。",
    XLS: "文件不是有效的旧版 Excel（.xls，Excel 97-2003）工作簿，可能已损坏或设有密码。请在 Excel 中另存为 .xlsx 后再导入。",
    ODS: "文件不是有效的 ODS 工作簿，可能已损坏。请另存为 .xlsx 后再导入。",
}


def _cell(value):
    """calamine's cells as openpyxl gave them: empty is None, a whole number stored as a float is an int."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


def read_workbook(data: bytes, fmt: str = XLSX) -> Table:
    """The first worksheet of an XLSX, XLS or ODS workbook, rows streamed as calamine reads them."""
    import python_calamine

    try:
        book = python_calamine.load_workbook(io.BytesIO(data))
        if not book.sheet_names:
            raise NotASpreadsheet("工作簿中没有工作表。")
        sheet = book.get_sheet_by_index(0)
    except NotASpreadsheet:
        raise
    except Exception as e:  # calamine's errors (zip, XML, password, CFB) share no useful base class
        raise NotASpreadsheet(_BROKEN[fmt]) from e

    def rows():
        for line, cells in enumerate(sheet.iter_rows(), start=1):
            # (most rows hold neither an empty cell nor a float: left as they are, no call per cell)
            yield line, [_cell(v) for v in cells] if "" in cells or float in set(map(type, cells)) else cells

    line, headers, rest = _with_header(rows)
    return Table(fmt, None, line, headers, rest, sheet.height)


def read_xlsx(data: bytes) -> Table:
    return read_workbook(data, XLSX)


def _zip_format(data: bytes) -> str:
    """XLSX, or ODS (whose first member, stored uncompressed, is its mimetype)."""
    if data[30:38] == b"mimetype" and b"application/vnd.oasis.opendocument.spreadsheet" in data[38:120]:
        return ODS
    return XLSX


def sniff(data: bytes) -> str:
    """The file's format by its content (never by its name), refusing what is plainly no spreadsheet. Cheap (the
    first bytes only): an upload is checked in its request, read in a job."""
    if not data or not data.strip():
        raise NotASpreadsheet("文件是空的。")
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2 compound file: legacy Excel 97-2003 (.xls), as WPS also saves
        return XLS
    if data.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"Rar!", b"\x1f\x8b", b"7z\xbc\xaf")):
        raise NotASpreadsheet(NOT_A_SPREADSHEET)
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and _looks_binary(data[:8192].decode("latin-1")):
        # (no byte below 0x20 but tab and line ends is part of UTF-8, GBK or GB18030 text)
        raise NotASpreadsheet(NOT_A_SPREADSHEET)
    return CSV


def read_table(data: bytes) -> Table:
    """Any supported spreadsheet, by its content."""
    fmt = sniff(data)
    return read_csv(data) if fmt == CSV else read_workbook(data, fmt)
