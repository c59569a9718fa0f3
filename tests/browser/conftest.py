"""Browser fixtures: the app served on a free local port, and Debian's Chromium driven by Playwright on a
360×740 phone viewport. A missing browser is a failure, never a skip."""
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# expect() waits for its condition up to this long (Playwright's default is 5 s): generous, for a machine whose
# other core is busy. A test that passes never waits it out.
expect.set_options(timeout=30_000)
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(5)


# One Playwright and one Chromium per run: areas import this fixture into their own conftests, and a second
# sync_playwright() started while the first is alive fails ("Sync API inside the asyncio loop").
_SHARED = {}


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk"
    if "browser" not in _SHARED:
        _SHARED["playwright"] = sync_playwright().start()
        _SHARED["browser"] = _SHARED["playwright"].chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
    yield _SHARED["browser"]
    if "browser" in _SHARED:  # the first copy of this fixture to finish closes it, at the end of the session
        _SHARED.pop("browser").close()
        _SHARED.pop("playwright").stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(**PHONE)
    context.set_default_timeout(60_000)  # every action and wait: generous, for a busy machine
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()
