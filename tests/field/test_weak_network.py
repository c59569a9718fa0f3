"""Issue 16 §2 on the server side: what Lighthouse found (favicon, description, manifest, icons, head tags) and
static files for a bad network (content-versioned URLs served immutable, brotli/gzip for text)."""
import gzip
import io
import json
import re

import brotli
from PIL import Image

from webapp.faces import assets
from webapp.faces.field import shell

IMMUTABLE = "public, max-age=31536000, immutable"


def test_favicon_is_the_apps_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    with Image.open(io.BytesIO(response.data)) as im:
        assert im.format == "ICO"
        assert (32, 32) in im.info["sizes"]
        rgb = im.convert("RGB").tobytes()
    assert sum(1 for i in range(0, len(rgb), 3) if rgb[i] > 150 and rgb[i + 1] < 90) > 20  # the red seal


def test_every_page_has_a_description_and_the_shell_the_current_head_tags(client):
    for url in ("/login", "/public/", "/field/"):
        html = client.get(url).get_data(as_text=True)
        assert re.search(r'<meta name="description" content="[^"]{10,}">', html), url
    shell_html = client.get("/field/").get_data(as_text=True)
    assert '<meta name="mobile-web-app-capable" content="yes">' in shell_html
    assert "apple-mobile-web-app-capable" not in shell_html
    assert '<link rel="apple-touch-icon"' in shell_html
    assert 'name="apple-mobile-web-app-status-bar-style"' in shell_html


def test_the_maskable_icon_keeps_its_mark_inside_the_safe_zone(client):
    icons = {(i["purpose"], i["sizes"]): i["src"] for i in client.get("/field/manifest.webmanifest").get_json()["icons"]}
    with client.get(icons[("maskable", "512x512")]) as served, Image.open(io.BytesIO(served.data)) as im:
        rgb = im.convert("RGB")
    w, h = rgb.size
    red = [(x, y) for y in range(0, h, 4) for x in range(0, w, 4)
           if (p := rgb.getpixel((x, y)))[0] > 150 and p[1] < 90 and p[2] < 90]
    assert red
    # Every red pixel within a circle of 40 % of the width (the safe zone), with padding: at most 34 %.
    farthest = max(((x - w / 2) ** 2 + (y - h / 2) ** 2) ** 0.5 for x, y in red)
    assert farthest <= 0.34 * w
    assert rgb.getpixel((0, 0)) == rgb.getpixel((w - 1, h - 1)) == (252, 246, 236)  # full-bleed background


def test_field_files_are_versioned_and_served_immutable(client):
    html = client.get("/field/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert urls and all(u.startswith(f"/static/v/{shell.version()}/field/") for u in urls)
    for url in urls:
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == IMMUTABLE, url
    # The modules import each other relatively, so the imports resolve under the same version.
    assert 'from "./db.js"' in client.get(shell.asset_url("field/app.js")).get_data(as_text=True)


def test_an_old_version_in_the_url_is_served_but_revalidated(client):
    with client.get("/static/v/0000000000000000/field/app.js") as stale:
        assert stale.status_code == 200
        assert stale.headers["Cache-Control"] == "no-cache"
    with client.get("/static/field/app.js") as plain:
        assert plain.headers["Cache-Control"] == "no-cache"
        etag = plain.headers["ETag"]
    assert client.get("/static/field/app.js", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/static/v/x/field/none.js").status_code == 404
    assert client.get("/static/v/x/../../pyproject.toml").status_code == 404


def test_url_for_static_carries_the_files_hash(client):
    html = client.get("/login").get_data(as_text=True)
    href = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]{12}))"', html)
    assert href, "the stylesheet link has no version"
    assert href.group(2) == assets.file_token("css/app.css")
    with client.get(href.group(1)) as response:
        assert response.headers["Cache-Control"] == IMMUTABLE
    with client.get("/static/css/app.css?v=000000000000") as other:
        assert other.headers["Cache-Control"] == "no-cache"


def test_text_goes_out_brotli_or_gzip_and_images_as_they_are(client):
    js = shell.asset_url("field/app.js")
    raw = client.get(js).data
    with client.get(js, headers={"Accept-Encoding": "gzip, deflate, br"}) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert brotli.decompress(response.data) == raw
        assert len(response.data) < len(raw) / 2
    with client.get(js, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.data) == raw
    with client.get(shell.asset_url("field/icons/icon-192.png"), headers={"Accept-Encoding": "gzip, br"}) as png:
        assert "Content-Encoding" not in png.headers
    for page in ("/field/", "/login", "/public/"):
        plain = client.get(page).data
        packed = client.get(page, headers={"Accept-Encoding": "br"})
        assert packed.headers["Content-Encoding"] == "br", page
        assert brotli.decompress(packed.data) == plain
    calendar = client.get("/field/calendar.json", headers={"Accept-Encoding": "gzip"})
    assert calendar.headers["Content-Encoding"] == "gzip"


def test_html_and_the_worker_stay_no_cache_and_the_worker_imports_this_version(client):
    assert client.get("/field/", headers={"Accept-Encoding": "br"}).headers["Cache-Control"] == "no-cache"
    worker = client.get("/sw.js")
    assert worker.headers["Cache-Control"] == "no-cache"
    source = worker.get_data(as_text=True)
    imports = re.findall(r'from "([^"]+)"', source)
    assert imports and all(u.startswith(shell.asset_url("field/")) for u in imports)
    precache = re.search(r"const PRECACHE = (\[.*?\]);", source).group(1)
    assert shell.asset_url("field/app.js") in precache and "/static/field/" not in precache
    assert 'SERVER_PAGES = ["/field/import"]' in source  # the import page is the server's, not the shell


def test_the_shell_preloads_the_first_screens_modules_and_the_worker_keeps_them_all(client):
    html = client.get("/field/").get_data(as_text=True)
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', html))
    prefix = shell.asset_url("field/")
    assert prefix + "app.js" in preloaded and prefix + "views/tasks.js" in preloaded and prefix + "sync.js" in preloaded
    # Screens opened later (and the photo and signature code they bring) load on demand: not on the first visit.
    for later in ("views/checklist.js", "views/sign.js", "photo.js", "signature.js"):
        assert prefix + later not in preloaded, later
    source = client.get("/sw.js").get_data(as_text=True)
    precache = set(json.loads(re.search(r"const PRECACHE = (\[.*?\]);", source).group(1)))
    assert preloaded < precache and prefix + "views/sign.js" in precache
