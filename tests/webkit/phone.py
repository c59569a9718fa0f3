"""What an inspector does with the field app in WebKit, through Selenium: the same steps as the Chromium walk
(tests/field/browser/walk.py), with WebDriver's own means (a file input, pointer actions)."""
import logging
import threading
import time

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.helpers import ARTIFACTS, SCREENSHOTS

READY = "return document.body && document.body.dataset.ready === location.pathname"
CONTROLLED = "return !!(navigator.serviceWorker && navigator.serviceWorker.controller)"


def until(driver, script, *args, timeout=60, what="the condition"):
    """Ask the page `script` (a function body returning a value) every 50 ms until it is truthy; return it."""
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while True:
        found = driver.execute_script(script, *args)
        if found:
            return found
        if time.monotonic() > deadline:
            seen = driver.execute_script("return location.href + ' | ' + document.body.innerText.slice(0, 600)")
            raise AssertionError(f"timed out after {timeout} s waiting for {what}; the page: {seen}; "
                                 f"what it loaded: {loaded(driver)}")
        tick.wait(0.05)


LOADED = """
const done = arguments[arguments.length - 1];
const scripts = [...document.querySelectorAll("script[src]")].map((e) => e.src);
const settled = (promise) => Promise.race([promise.then(() => "settled", (e) => "failed: " + e),
  new Promise((resolve) => setTimeout(() => resolve("pending after 2 s"), 2000))]);
Promise.all(scripts.map((src) => import(src).then(async (m) => src + ": imports"
    + (m.booting ? ", its read of the phone's database " + await settled(m.booting) : ""),
  (e) => src + ": " + e)))
  .then(async (imports) => done({
    controller: navigator.serviceWorker.controller && navigator.serviceWorker.controller.state,
    registration: await navigator.serviceWorker.getRegistration().then((r) => r && ["installing", "waiting", "active"]
      .map((k) => k + " " + (r[k] ? r[k].state : "none")).join(", "), (e) => String(e)),
    caches: await caches.keys().catch((e) => String(e)),
    resources: performance.getEntriesByType("resource").map((r) => r.name.replace(location.origin, "")
      + " " + Math.round(r.duration) + "ms"),
    imports,
  }));
"""


def loaded(driver):
    """What the page fetched, whether a worker controls it, and what importing its scripts again says."""
    try:
        return driver.execute_async_script(LOADED)
    except Exception as exc:  # the diagnosis must not hide the failure it explains
        return f"(could not ask: {exc})"


def ready(driver):
    until(driver, READY, what="the view to be ready")


def text_shown(driver, text, timeout=60):
    until(driver, "return document.body.innerText.includes(arguments[0])", text, timeout=timeout, what=f"“{text}”")


def click_text(driver, text, css="a, button, summary, label"):
    """Click the first visible element of `css` whose text is exactly `text` (as a person reads the screen)."""
    el = until(driver, """
      return [...document.querySelectorAll(arguments[1])].find((e) => e.innerText.trim() === arguments[0]
        && e.getClientRects().length) || null;""", text, css, what=f"a control “{text}”")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
    el.click()
    return el


def sign_in(driver, base, username="jt01", password="lianchi2023"):
    driver.get(f"{base}/login?next=/field/")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    until(driver, "return location.pathname === '/field/'", what="the field app after sign-in")
    ready(driver)


def installed(driver):
    until(driver, CONTROLLED, what="the service worker to control the page")


def team(driver, base, token):
    """Check in by the poster's URL, tick the first two inspectors, credentials and uniform."""
    driver.get(f"{base}/checkin/{token}")
    until(driver, "return /\\/field\\/task\\/\\d+\\/team$/.test(location.pathname)", what="the team step")
    ready(driver)
    boxes = driver.find_elements(By.CSS_SELECTOR, "input[data-cert]")
    for box in boxes[:2]:
        box.click()
    for name in ("credentials", "uniform"):
        driver.find_element(By.NAME, name).click()


def checklist(driver, *, fail_first=False):
    click_text(driver, "下一步：检查内容")
    ready(driver)
    for select in driver.find_elements(By.CSS_SELECTOR, "section.item select"):
        if not select.get_attribute("value"):  # a matter with one 检查方式 has it chosen already
            # WebDriver scrolls a control to the bottom edge, under the sticky progress bar: to the centre first
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", select)
            Select(select).select_by_index(1)
    for n, point in enumerate(driver.find_elements(By.CSS_SELECTOR, "li.point")):
        value = "fail" if (fail_first and n == 0) else "pass"
        radio = point.find_element(By.CSS_SELECTOR, f"input[value={value}]")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", radio)
        radio.find_element(By.XPATH, "..").click()        # the label, as a finger taps it
    if fail_first:
        driver.find_element(By.CSS_SELECTOR, "li.point textarea").send_keys("消防通道堆放杂物，已当场责令清理。")
        code = "corrected"
    else:
        code = "no_problem"
    box = driver.find_element(By.CSS_SELECTOR, f"fieldset.codes input[value={code}]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    box.click()
    # The tick is saved, then the warnings under the categories go: the page moves up by their height. Only then
    # may the next tap aim at a button below (or it lands where the button was).
    until(driver, "return document.querySelector('fieldset.codes').nextElementSibling.childElementCount === 0",
          what="the result categories to be saved and their warnings gone")


def photo(driver, container_css, path):
    """The phone's camera: the file input of the first `container_css` gets the picture at `path`."""
    container = driver.find_element(By.CSS_SELECTOR, container_css)
    before = len(container.find_elements(By.CSS_SELECTOR, ".thumbs img"))
    container.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    until(driver, "return arguments[0].querySelectorAll('.thumbs img').length > arguments[1]", container, before,
          what="the photo's thumbnail")


def signature(driver):
    """A signature by pointer moves on the canvas."""
    pad = driver.find_element(By.CSS_SELECTOR, "canvas.sign-pad")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", pad)
    width = pad.size["width"]
    actions = ActionChains(driver, duration=20)
    actions.move_to_element_with_offset(pad, -width // 2 + 30, 0).click_and_hold()
    for dx, dy in ((40, 30), (50, -40), (50, 35), (60, -30), (50, 20)):
        actions.move_by_offset(dx, dy)
    actions.release().perform()


def outbox(driver) -> str:
    return driver.execute_script("const b = document.getElementById('outbox'); return b.hidden ? '' : b.innerText;")


PAINTED = "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done()));"


def shot(driver, name):
    """What the WebKit phone's screen shows (360×740), under test-artifacts/ with SCREENSHOTS=1."""
    if not SCREENSHOTS:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    # WebKitGTK's snapshot now and then never answers while the page is busy, or answers 500: a screenshot is for a
    # person to look at, not what the test proves, so it is given a while and then left out (and said so in the
    # log) rather than hang or fail the walk.
    def take():
        try:
            driver.execute_async_script(PAINTED)          # the frame showing what the test saw, not an older one
            driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
        except WebDriverException as err:
            logging.getLogger(__name__).warning("screenshot %s left out: %s", name, err.msg)

    taker = threading.Thread(target=take, daemon=True)
    taker.start()
    taker.join(20)
