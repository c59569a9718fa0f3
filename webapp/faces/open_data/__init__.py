"""The open results feed (no sign-in): published results as CSV (UTF-8 with BOM, for Excel), JSON Lines, XLSX in
the national publicity layout, and an Atom feed of publications and withdrawals. Only what the public pages show;
cacheable by ETag and Last-Modified. Column meanings and licence: docs/open-data.md."""
import csv
import hashlib
import io
import json
from datetime import date, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape

from flask import Blueprint, Response, jsonify, request, url_for
from openpyxl import Workbook

from webapp.core import clock
from webapp.stages.integration import results as published

bp = Blueprint("open_data", __name__, url_prefix="/open")

LICENCE = "CC BY 4.0（署名：发布结果的检查实施机关）"


class BadFilter(Exception):
    pass


@bp.errorhandler(BadFilter)
def bad_filter(e):
    return jsonify(error=str(e), code="invalid_parameter"), 400


def _filters():
    args = request.args
    code = args.get("jurisdiction") or None
    if code is not None and not (len(code) == 6 and code.isdigit()):
        raise BadFilter("参数 jurisdiction 应为 6 位行政区划代码（GB/T 2260）。")
    department = args.get("department") or None
    if department is not None:
        if not department.isdigit() or len(department) > 9:
            raise BadFilter("参数 department 应为部门编号（整数）。")
        department = int(department)
    days = []
    for name in ("from", "to"):
        raw = args.get(name) or None
        try:
            days.append(date.fromisoformat(raw) if raw else None)
        except ValueError:
            raise BadFilter(f"参数 {name} 应为日期 YYYY-MM-DD。") from None
    return published.jurisdiction_scope(code), department, days[0], days[1]


def _rows():
    visible, department, since, until = _filters()
    return published.published(visible, department, since, until)


def _cached(body: bytes, mimetype: str, last, filename: str | None = None) -> Response:
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"}
    if last is not None:
        headers["Last-Modified"] = format_datetime(clock.aware(last).astimezone(timezone.utc), usegmt=True)
    if filename:
        headers["Content-Disposition"] = f"attachment; filename={filename}"
    if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        return Response(status=304, headers=headers)
    return Response(body, mimetype=mimetype, headers=headers)


def _last(rows, extra=()):
    moments = [clock.aware(r.published_at) for r in rows if r.published_at] + [clock.aware(m) for m in extra if m]
    return max(moments, default=None)


def _csv(columns, row_of, filename):
    """The published rows as CSV (UTF-8 with BOM, CRLF, as spreadsheet programs read it), one row each."""
    rows = _rows()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow(row_of(r))
    return _cached(("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv", _last(rows), filename)


@bp.get("/results.csv")
def results_csv():
    return _csv(published.FEED_COLUMNS, lambda r: r.feed_row(), "results.csv")


@bp.get("/results.jsonl")
def results_jsonl():
    rows = _rows()
    body = "".join(json.dumps(r.as_dict(), ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    return _cached(body, "application/x-ndjson", _last(rows))


@bp.get("/results.xlsx")
def results_xlsx():
    """The national publicity layout, one row per enterprise and department."""
    rows = _rows()
    book = Workbook()
    sheet = book.active
    sheet.title = "抽查检查结果"
    sheet.append(list(published.NATIONAL_COLUMNS))
    for r in rows:
        sheet.append(r.national())
    out = io.BytesIO()
    book.save(out)
    return _cached(out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   _last(rows), "results.xlsx")


@bp.get("/results-national.csv")
def results_national_csv():
    return _csv(published.NATIONAL_COLUMNS, lambda r: r.national(), "results-national.csv")


def _tag(kind: str, key: str) -> str:
    return f"tag:{request.host.split(':')[0]},2023:spotcheck/{kind}/{key}"


@bp.get("/results.atom")
def results_atom():
    """Publications and withdrawals, newest first; an entry's id never changes."""
    visible, department, since, until = _filters()
    rows = published.published(visible, department, since, until)
    gone = published.withdrawals(visible, department, since, until)
    entries = []
    for r in rows:
        when = clock.aware(r.published_at)
        entries.append((when, _tag("result", f"{r.id}/{int(when.timestamp())}"),
                        f"公示：{r.name}（{r.department}）", when,
                        f"{r.authority}于 {r.inspected_on or ''} 对 {r.name}（{r.uscc}）的{r.check_type}结果："
                        f"{'；'.join(r.results)}", url_for("public.verify_record", token=r.token, _external=True)))
    for w in gone:
        when = clock.aware(w.at)
        entries.append((when, _tag("withdrawal", w.id.removeprefix("withdrawal-")),
                        f"撤回公示：{w.name}（{w.department or '全部部门'}）", when,
                        f"撤回原因：{w.reason}", url_for("public.verify_record", token=w.record_token, _external=True)))
    entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
    updated = entries[0][0] if entries else clock.aware(clock.utcnow()).replace(microsecond=0)
    if not entries:
        updated = updated.replace(year=2023, month=1, day=1, hour=0, minute=0, second=0)
    parts = ['<?xml version="1.0" encoding="utf-8"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
             f"<id>{escape(_tag('feed', 'results'))}</id>",
             "<title>双随机、一公开：抽查检查结果公示与撤回</title>",
             f"<updated>{updated.isoformat(timespec='seconds')}</updated>",
             "<author><name>双随机联合抽查平台</name></author>",
             f'<link rel="self" href="{escape(request.url)}"/>',
             f"<rights>{escape(LICENCE)}</rights>"]
    for when, ident, title, upd, summary, link in entries:
        parts += ["<entry>", f"<id>{escape(ident)}</id>", f"<title>{escape(title)}</title>",
                  f"<updated>{upd.isoformat(timespec='seconds')}</updated>", f"<summary>{escape(summary)}</summary>"]
        if link:
            parts.append(f'<link rel="alternate" href="{escape(link)}"/>')
        parts.append("</entry>")
    parts.append("</feed>")
    last = max((e[0] for e in entries), default=None)
    return _cached("\n".join(parts).encode("utf-8"), "application/atom+xml", last)

