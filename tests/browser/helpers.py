"""Small actions for browser tests: sign in as a person would, keep a screenshot to look at, wait for a
condition outside the page (a database row) as Playwright's expect() waits for one inside it."""
import os
import shutil
import threading
import time
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Screenshots are for a person to look at, not what a test proves: taken only with SCREENSHOTS=1 (README). A run
# takes about 140, each tens of milliseconds of the browser's CPU at the phone's 2× scale, the full page more.
SCREENSHOTS = os.environ.get("SCREENSHOTS") == "1"


def screenshot(page, name: str, *, full_page: bool = True, copy_to: Path | str | None = None) -> Path | None:
    """With SCREENSHOTS=1: keep a screenshot (the whole page, or only what the 360×740 screen shows) as
    test-artifacts/`name`.png, and a copy in the folder `copy_to` if given; its path. Otherwise nothing, None."""
    if not SCREENSHOTS:
        return None
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if copy_to:
        Path(copy_to).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(copy_to) / path.name)
    return path


def login(page, base_url: str, username: str, password: str = "lianchi2023"):
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/home")


def wait_until(condition, timeout: float = 60, what: str = "the condition", context=None):
    """Wait for `condition()` to give something true (a database row written by the live server, the service
    worker's state) and return it; fail after `timeout` seconds, generous for a busy machine. It is asked again
    every 50 ms: a condition, never a guess at how long something takes. Give the browser `context` when the
    page needs the test's own handlers meanwhile (page.route): Playwright runs them only inside its calls."""
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        tick.wait(0.05)
        if context is not None:
            context.cookies()  # a round trip to the browser, in which Playwright runs the routes waiting for us


def copied_cookies_refused(browser, base_url: str, cookies) -> None:
    """Cookies copied off a phone before its sign-out open nothing afterwards: the phone's API answers 401."""
    thief = browser.new_context()
    try:
        thief.add_cookies(cookies)
        assert thief.request.get(f"{base_url}/api/field/tasks").status == 401
        assert thief.request.get(f"{base_url}/api/field/session").status == 401
    finally:
        thief.close()
