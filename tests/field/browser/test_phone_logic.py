"""The phone's own logic, run in Chromium and held against the server's Python: the findings hash, the result
rules, the working-day deadline, and the photo pipeline on a real 4000×3000 camera JPEG."""
import base64
import hashlib
import io
import itertools
import random
from datetime import date, timedelta

import pytest
from PIL import Image

from webapp.domain import results
from webapp.domain.findings import findings_hash, sync_deadline_text
from webapp.domain.workdays import Calendar

from .walk import camera_jpeg, installed, ready

pytestmark = pytest.mark.browser


@pytest.fixture
def shell(live_server, page):
    page.goto(f"{live_server.url}/field/")
    ready(page)
    installed(page)   # precaching done: no download is cut off when the test ends
    return page


def js(page, module, body, arg=None):
    """Run `body` (an async function body with `m` the imported module and `arg`) in the page."""
    return page.evaluate(
        f"async (arg) => {{ const m = await import('/static/field/{module}'); {body} }}", arg)


def test_the_phone_hashes_findings_exactly_as_the_server_does(shell):
    tricky = ["保定市莲池区“天才宝贝”", 'quote " and \\ backslash', "line\nbreak\ttab\r", "ctl\u0001\u001f\u007f",
              "emoji 🧯 and \u2028 separator", "", "τ é ß"]
    findings = {
        "departments": [{"department_id": 3, "items": [{"plan_item_id": 17, "method": "onsite", "points": [
            {"text": t, "result": r, "note": t[::-1], "photos": ["ab" * 32] if i % 2 else []}
            for i, (t, r) in enumerate(zip(tricky, itertools.cycle(["pass", "fail", "na"])))]}]}],
        "team": {"present": ["130606010002", "130606010001"], "uniform": True, "credentials_shown": False},
        "result_codes": ["corrected", "not_disclosed"], "remarks": None, "zeta": 0, "Alpha": -12,
    }
    codes = ["not_disclosed", "corrected"]
    assert js(shell, "canon.js", "return m.findingsHash(arg.f, arg.c);", {"f": findings, "c": codes}) == \
        findings_hash(findings, codes)


def test_the_phone_matches_the_contracts_hash_test_vector(shell):
    got = js(shell, "canon.js", "return m.findingsHash({remarks: '良好', departments: []}, ['not_disclosed', 'corrected']);")
    assert got == "05af16d2347d1b3bf6d72f6491bf11af386a579ae65943bd649568b8c236fb16"


def test_the_phone_applies_the_result_rules_as_the_server_does(shell):
    codes = sorted(results.CATEGORIES)
    rng = random.Random(5)
    cases = [[], ["no_problem"], ["no_problem", "corrected"], ["not_disclosed"], ["corrected"],
             ["not_disclosed", "follow_up"]] + [rng.sample(codes, rng.randint(1, 4)) for _ in range(60)]
    catalog = {"problems": sorted(results.PROBLEMS), "dispositions": sorted(results.DISPOSITIONS)}
    for failed in (False, True):
        got = js(shell, "rules.js", "return arg.cases.map((c) => m.validateCodes(c, arg.failed, arg.catalog));",
                 {"cases": cases, "failed": failed, "catalog": catalog})
        assert got == [results.validate(c, failed) for c in cases]


def test_the_sync_deadline_counts_working_days_like_the_server(shell):
    """Around 国庆 2025 (holidays and 调休 Sundays), the phone's count with the server's calendar string."""
    cal, start = Calendar(), date(2025, 9, 1)
    days = "".join("1" if cal.is_workday(start + timedelta(days=n))[0] else "0" for n in range(90))
    phone_cal = {"start": start.isoformat(), "days": days, "provisional": []}
    dates = [start + timedelta(days=n) for n in range(10, 45)]
    got = js(shell, "deadline.js", "return arg.dates.map((d) => m.addWorkdays(arg.cal, d, 5).due);",
             {"cal": phone_cal, "dates": [d.isoformat() for d in dates]})
    assert got == [cal.add_workdays(d, 5).due.isoformat() for d in dates]
    assert got[dates.index(date(2025, 9, 30))] == "2025-10-14"  # 10-11 is a make-up working Saturday
    line = js(shell, "deadline.js",
              "return m.deadlineText({cal: arg.cal, inspectedOn: '2025-09-30', entryDays: 5, today: '2025-10-09'}).text;",
              {"cal": phone_cal})
    # 10-09, 10-10, 10-11 (调休), 10-13 and 10-14: the same words the server would print.
    assert line == sync_deadline_text(cal, date(2025, 10, 9), date(2025, 10, 14)) == "须于 2025-10-14 前同步（剩余 5 个工作日）"


@pytest.mark.parametrize("orientation, expected", [(None, (1600, 1200)), (6, (1200, 1600))])
def test_a_camera_photo_is_upright_small_stamped_and_hashed(shell, orientation, expected):
    original = camera_jpeg((4000, 3000), orientation=orientation)
    out = js(shell, "photo.js", """
        const bytes = Uint8Array.from(atob(arg.b64), (c) => c.charCodeAt(0));
        const file = new File([bytes], "IMG_0001.jpg", { type: "image/jpeg" });
        const p = await m.processPhoto(file, { enterprise: "保定市莲池区天才宝贝教育咨询有限公司" });
        const buf = new Uint8Array(await p.blob.arrayBuffer());
        let s = ""; for (let i = 0; i < buf.length; i += 0x8000) s += String.fromCharCode(...buf.subarray(i, i + 0x8000));
        return { b64: btoa(s), sha256: p.sha256, width: p.width, height: p.height, type: p.type };
    """, {"b64": base64.b64encode(original).decode()})
    data = base64.b64decode(out["b64"])
    assert len(data) <= 400 * 1024
    assert out["sha256"] == hashlib.sha256(data).hexdigest()
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG" and im.size == expected == (out["width"], out["height"])
        assert not im.getexif().get(0x0112)  # pixels are upright; no orientation tag left to misread
        w, h = im.size
        # Upright: the red block of the top-left quarter stays top-left (rotated 90° clockwise for tag 6).
        corner = im.getpixel((w // 5, h // 5) if orientation is None else (w - w // 5, h // 5))
        assert corner[0] > 150 and corner[1] < 100
        # The stamp: a dark band with white text along the bottom.
        band = im.crop((0, h - 110, w // 2, h - 20)).convert("L").tobytes()
        above = im.crop((0, h - 300, w // 2, h - 210)).convert("L").tobytes()
        median = lambda px: sorted(px)[len(px) // 2]  # noqa: E731
        assert median(band) < 75 < median(above)                          # darkened
        assert sum(1 for v in band if v > 230) > 200                     # white lettering on it
