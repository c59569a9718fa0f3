"""The shared browser fixtures (tests/browser/conftest.py), for this area's phone-viewport tests."""
from tests.browser.conftest import browser, context, live_server, page  # noqa: F401
