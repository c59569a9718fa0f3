"""Benchmark of the field app (issue 5's numbers):

1. The app shell (the HTML page, its CSS and every ES module), gzip-compressed as a server would send it:
   target under 100 KB in total.
2. A real 4000×3000 camera-sized JPEG through the real page in Chromium (photo.js: decode, orient, downscale,
   stamp, encode): target at most 400 KB on the phone before upload. Two pictures: a detailed one (noise with
   shapes, the hard case for JPEG) and a smooth one (gradients, like a wall or a document).
3. An offline reload of the installed app: how many requests reach the network (target 0).

    python benchmarks/field_shell.py
"""
import base64
import gzip
import io
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN"}


def make_app(tmp: Path):
    from webapp import create_app
    from webapp.core import database
    from webapp.core.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
                      "MEDIA_ROOT": str(tmp / "media")})
    with app.app_context():
        database.recreate()
        db.engine.dispose()
    return app


def shell_sizes(app):
    from webapp.faces.field import shell

    client = app.test_client()
    rows = []
    with app.app_context(), app.test_request_context():
        urls = [shell.SHELL_URL] + [u for u in shell.asset_urls() if u.endswith((".js", ".css"))]
    for url in urls:
        with client.get(url) as response:
            body = response.data
        rows.append((url, len(body), len(gzip.compress(body, 9))))
    return rows


def camera_jpeg(detailed: bool) -> bytes:
    size = (4000, 3000)
    if detailed:
        im = Image.effect_noise(size, 64).convert("RGB")
    else:
        im = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(im)
    draw.rectangle((400, 300, 2000, 1500), fill=(200, 40, 40))
    draw.ellipse((2000, 1000, 3600, 2700), fill=(30, 90, 200))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=92)
    return out.getvalue()


PROCESS = """async (b64) => {
  const m = await import('/static/field/photo.js');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const file = new File([bytes], 'IMG_0001.jpg', { type: 'image/jpeg' });
  const t0 = performance.now();
  const p = await m.processPhoto(file, { enterprise: '保定市莲池区天才宝贝教育咨询有限公司' });
  return { size: p.size, width: p.width, height: p.height, ms: performance.now() - t0 };
}"""


def in_browser(base_url):
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(**PHONE)
        page = context.new_page()
        page.goto(f"{base_url}/field/")
        page.wait_for_function("() => document.body.dataset.ready === location.pathname")
        for name, detailed in (("detailed", True), ("smooth", False)):
            original = camera_jpeg(detailed)
            out = page.evaluate(PROCESS, base64.b64encode(original).decode())
            results[name] = (len(original), out)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=20000)
        context.set_offline(True)
        network = []
        page.on("response", lambda r: r.from_service_worker or network.append(r.url))
        page.on("requestfailed", lambda r: network.append(r.url))
        t0 = time.perf_counter()
        page.reload()
        page.wait_for_function("() => document.body.dataset.ready === location.pathname")
        results["offline_reload"] = (network, time.perf_counter() - t0)
        browser.close()
    return results


def main():
    from werkzeug.serving import make_server

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        rows = shell_sizes(app)
        print("1. App shell, gzip -9 (target < 100 KB total)")
        for url, raw, gz in rows:
            print(f"   {url:34} {raw / 1024:7.1f} KB raw  {gz / 1024:6.1f} KB gzip")
        total_raw, total_gz = sum(r[1] for r in rows), sum(r[2] for r in rows)
        print(f"   {'TOTAL':34} {total_raw / 1024:7.1f} KB raw  {total_gz / 1024:6.1f} KB gzip  "
              f"{'OK' if total_gz < 100 * 1024 else 'OVER'}")

        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            results = in_browser(f"http://127.0.0.1:{server.server_port}")
        finally:
            server.shutdown()
        print("2. 4000×3000 camera JPEG → phone JPEG (target ≤ 400 KB)")
        for name in ("detailed", "smooth"):
            original, out = results[name]
            verdict = "OK" if out["size"] <= 400 * 1024 else "OVER"
            print(f"   {name:9} {original / 1024:7.0f} KB → {out['size'] / 1024:6.1f} KB  "
                  f"{out['width']}×{out['height']}  {out['ms']:.0f} ms  {verdict}")
        network, seconds = results["offline_reload"]
        print(f"3. Offline reload: {len(network)} network requests, {seconds * 1000:.0f} ms  "
              f"{'OK' if not network else network}")


if __name__ == "__main__":
    main()
