"""Real spreadsheet files for the import tests, made the way offices' programs make them."""
import csv
import io

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
