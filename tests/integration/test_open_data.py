"""The open results feed: no sign-in, only what the public pages show, CSV that Excel opens, valid Atom, cacheable."""
import csv
import io
import json
import xml.etree.ElementTree as ET

from openpyxl import Workbook, load_workbook

from tests import factories
from webapp.core.extensions import db
from webapp.stages.integration import results as published
from webapp.stages.publication import publishing

ATOM = "{http://www.w3.org/2005/Atom}"


def publish_two(world):
    office = factories.get_user("office")
    records = [factories.approved_record(world.old, e) for e in world.entities[:2]]
    publishing.publish(records, office)
    db.session.commit()
    return records


def test_the_csv_has_a_bom_and_survives_an_excel_round_trip(client, placed):
    records = publish_two(placed)
    answer = client.get("/open/results.csv")
    assert answer.status_code == 200 and answer.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == published.FEED_COLUMNS
    assert {r[5] for r in rows[1:]} == {r.entity.uscc for r in records}
    book = Workbook()  # what Excel does with it: cells as read, saved, opened again
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    again = [list(r) for r in load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True)]
    assert again[0][1:7] == ["检查实施机关", "检查类型", "检查日期", "检查结果", "统一社会信用代码", "企业名称"]
    assert {r[6] for r in again[1:]} == {r.entity.name for r in records}


def test_one_row_per_enterprise_and_department_in_the_national_layout(client, placed):
    records = publish_two(placed)
    departments = len(placed.old.departments)
    book = load_workbook(io.BytesIO(client.get("/open/results.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == list(published.NATIONAL_COLUMNS)
    assert len(rows) - 1 == len(records) * departments
    assert {(r[4], r[0]) for r in rows[1:]} == {(rec.entity.uscc, d.department.name)
                                                for rec in records for d in placed.old.departments}
    assert all(r[3] == "未发现问题" and r[1] == "双随机抽查" for r in rows[1:])
    national = client.get("/open/results-national.csv").data.decode("utf-8-sig").splitlines()
    assert national[0] == ",".join(published.NATIONAL_COLUMNS) and len(national) == len(rows)
    assert all(line.split(",")[1] == "双随机抽查" for line in national[1:])  # 检查类型 in the CSV too


def test_json_lines_carry_stable_ids_and_nothing_private(client, placed):
    records = publish_two(placed)
    lines = client.get("/open/results.jsonl").get_data(as_text=True).splitlines()
    first = [json.loads(x)["id"] for x in lines]
    assert first == [json.loads(x)["id"] for x in client.get("/open/results.jsonl").get_data(
        as_text=True).splitlines()]
    body = "\n".join(lines)
    for record in records:
        for secret in factories.private_strings(record):
            assert secret not in body


def test_the_atom_feed_parses_with_its_required_elements(client, placed):
    records = publish_two(placed)
    publishing.withdraw(records[0], factories.get_user("office"), "公示信息有误，重新审核。")
    db.session.commit()
    answer = client.get("/open/results.atom")
    assert answer.mimetype == "application/atom+xml"
    feed = ET.fromstring(answer.data)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.find(f"{ATOM}{name}").text or "").strip(), name
    assert any("撤回" in e.find(f"{ATOM}title").text for e in entries)


def test_an_unchanged_feed_answers_304_and_says_when_it_changed(client, placed):
    publish_two(placed)
    first = client.get("/open/results.csv")
    assert first.headers["Last-Modified"] and first.headers["ETag"]
    assert client.get("/open/results.csv", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_filters_narrow_the_feed_and_bad_ones_are_told(client, placed, home):
    publish_two(placed)
    dept = factories.department("weijian")
    lines = client.get(f"/open/results.jsonl?department={dept.id}").get_data(as_text=True).splitlines()
    assert len(lines) == 2 and all("卫" in x for x in lines)
    assert client.get("/open/results.jsonl?jurisdiction=130602").data == b""
    assert len(client.get(f"/open/results.jsonl?jurisdiction={home.code}").data.splitlines()) == 6
    assert client.get("/open/results.jsonl?from=2999-01-01").data == b""
    bad = client.get("/open/results.csv?from=yesterday")
    assert bad.status_code == 400 and bad.json["code"] == "invalid_parameter"


def test_unpublished_results_are_not_in_the_feed(client, placed):
    factories.approved_record(placed.old, placed.entities[3])
    assert client.get("/open/results.jsonl").data == b""
