from tests.browser.conftest import browser, context, live_server, page  # noqa: F401
