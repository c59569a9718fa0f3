"""Real spreadsheet files for the import tests, made the way offices' programs make them."""
import csv
import datetime
import io
import zipfile

import openpyxl

from tests.conftest import csrf_token


def xlsx(header, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xls(header, rows) -> bytes:
    """A real legacy Excel 97-2003 workbook (BIFF8 in an OLE2 compound file), written by xlwt as old office
    systems and WPS export it; dates as date-formatted numbers."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名录")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, values in enumerate([header, *rows]):
        for c, value in enumerate(values):
            if isinstance(value, datetime.date):
                sheet.write(r, c, value, dated)
            elif value is not None:
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods(header, rows) -> bytes:
    """An ODS workbook as LibreOffice writes its content (mimetype stored first, content.xml)."""
    rows = [header, *rows]
    def cell(v):
        if isinstance(v, datetime.date):
            return f'<table:table-cell office:value-type="date" office:date-value="{v.isoformat()}"/>'
        if isinstance(v, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{v}"/>'
        if v is None:
            return "<table:table-cell/>"
        return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="名录">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()



def csv_file(header, rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode(encoding)


def upload(client, kind, data, filename="名录.xlsx", follow=False):
    token = csrf_token(client, f"/directory/imports/new/{kind}")
    return client.post(f"/directory/imports/new/{kind}", data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", follow_redirects=follow)


def post(client, url, data=None, page="/home", follow=False):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})}, follow_redirects=follow)
