"""Phone fixtures for the field API's browser check of the inspector home section."""
from tests.browser.conftest import browser, context, live_server, page  # noqa: F401
