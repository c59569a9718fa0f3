"""The browser fixtures (live server, Chromium on a phone viewport) for this area's browser tests."""
from tests.browser.conftest import browser, context, live_server, page  # noqa: F401
