"""The field app's server side: one shell for every page (and /checkin/<token>), a service worker whose precache
list and version come from the real files, the manifest and icons, and the working-day calendar."""
import io
import json
import re
import shutil
from datetime import date, timedelta

from PIL import Image

from tests import factories
from webapp.core import clock
from webapp.core.extensions import db
from webapp.faces.field import shell
from webapp.stages.plans.models import CalendarOverride

SHELL_PAGES = ("/field/", "/field/task/12/checklist", "/field/scan", "/checkin/Abc-123_x")


def worker_constants(client):
    source = client.get("/sw.js").get_data(as_text=True)
    version = re.search(r'const VERSION = "([0-9a-f]+)";', source).group(1)
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", source).group(1))
    return version, precache


def test_every_field_page_and_the_checkin_url_get_the_same_shell(client):
    bodies = set()
    for url in SHELL_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-cache"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        bodies.add(response.data)
    assert len(bodies) == 1
    html = bodies.pop().decode()
    assert f'<script type="module" src="/static/v/{shell.version()}/field/app.js"></script>' in html
    assert "<script>" not in html and "style=" not in html  # the strict CSP forbids inline code


def test_the_shell_carries_no_user_data_so_the_worker_can_cache_it(client, auth):
    factories.account("jt01")
    db.session.commit()
    anonymous = client.get("/field/").data
    auth.login("jt01")
    assert client.get("/field/").data == anonymous
    assert "csrf" not in anonymous.decode().lower()


def test_the_worker_precaches_the_real_asset_files_and_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    version, precache = worker_constants(client)
    assert len(version) == 16
    files = sorted(p.name for p in (shell.static_root()).rglob("*") if p.is_file())
    assert sorted(u.rsplit("/", 1)[1] for u in precache if u.startswith("/static/")) == files
    assert "/field/" in precache and "/field/manifest.webmanifest" in precache
    for url in precache:
        with client.get(url) as served:
            assert served.status_code == 200, url


def test_changing_any_asset_changes_the_worker_version(app, client, tmp_path):
    before, _ = worker_constants(client)
    assert worker_constants(client)[0] == before  # stable while nothing changes
    static = tmp_path / "static"
    shutil.copytree(app.static_folder, static)
    app.static_folder = str(static)
    assert worker_constants(client)[0] == before
    js = static / "field" / "ui.js"
    js.write_bytes(js.read_bytes() + b"\n")
    assert worker_constants(client)[0] != before


def test_manifest_is_installable_with_the_projects_own_icons(client):
    manifest = client.get("/field/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json()
    assert body["name"].startswith("双随机") and body["short_name"] == "现场检查"
    assert body["start_url"] == "/field/" and body["display"] == "standalone" and body["lang"] == "zh-CN"
    sizes = set()
    for icon in body["icons"]:
        with client.get(icon["src"]) as served:
            data = served.data
        with Image.open(io.BytesIO(data)) as im:
            assert im.format == "PNG"
            assert f"{im.width}x{im.height}" == icon["sizes"]
            rgb = im.convert("RGB").tobytes()
            red = sum(1 for i in range(0, len(rgb), 3) if rgb[i] > 150 and rgb[i + 1] < 90 and rgb[i + 2] < 90)
            assert red > im.width * im.height * 0.05  # the red seal is drawn, not a blank square
        sizes.add(icon["sizes"])
    assert sizes == {"192x192", "512x512"}
    assert body["id"] == "/field/"
    purposes = sorted((i["purpose"], i["sizes"]) for i in body["icons"])
    assert purposes == [("any", "192x192"), ("any", "512x512"), ("maskable", "192x192"), ("maskable", "512x512")]


def test_the_icon_drawing_makes_the_committed_pictures():
    from webapp.faces.field import icons

    im = icons.draw(192)
    assert im.size == (192, 192)
    with Image.open(icons.OUT / "icon-192.png") as committed:
        diff = sum(abs(a - b) for a, b in zip(im.tobytes(), committed.convert("RGB").tobytes()))
    assert diff / (192 * 192 * 3) < 2


def test_calendar_lists_working_days_with_the_offices_overrides(app, client):
    today = clock.today()
    sunday = today + timedelta(days=(6 - today.weekday()) or 7)
    db.session.add(CalendarOverride(day=sunday, is_workday=True, note="调休上班"))
    db.session.commit()
    body = client.get("/field/calendar.json").get_json()
    start = date.fromisoformat(body["start"])
    assert len(body["days"]) == 181 and set(body["days"]) <= {"0", "1"}
    assert body["days"][(sunday - start).days] == "1"
    assert body["days"][(sunday + timedelta(days=7) - start).days] in "01"
    saturday = sunday - timedelta(days=1)
    from webapp.stages.plans.calendar import current_calendar

    assert body["days"][(saturday - start).days] == ("1" if current_calendar().is_workday(saturday)[0] else "0")
