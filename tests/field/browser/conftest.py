"""The shared phone fixtures (live server, Chromium, 360×740 context) for the field app's browser tests."""
from tests.browser.conftest import browser, context, live_server, page  # noqa: F401
