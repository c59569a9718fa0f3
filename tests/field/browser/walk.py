"""What an inspector does with the field app, step by step, for the browser tests."""
import io
import re

from PIL import Image, ImageDraw
from playwright.sync_api import Error as PlaywrightError

from tests.browser.helpers import screenshot, wait_until

# Arrow functions, not bare expressions: Playwright would eval() an expression, which the strict CSP forbids.
SW_READY = "() => navigator.serviceWorker.controller !== null"


def camera_jpeg(size=(4000, 3000), orientation=None) -> bytes:
    """A camera-sized JPEG with real detail (so it does not compress to nothing), optionally EXIF-rotated."""
    im = Image.effect_noise(size, 64).convert("RGB")
    draw = ImageDraw.Draw(im)
    w, h = size
    draw.rectangle((w // 10, h // 10, w // 2, h // 2), fill=(200, 40, 40))
    draw.ellipse((w // 2, h // 3, w - w // 10, h - h // 10), fill=(30, 90, 200))
    out = io.BytesIO()
    kwargs = {"quality": 92}
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        kwargs["exif"] = exif.tobytes()
    im.save(out, "JPEG", **kwargs)
    return out.getvalue()


def sign_in(page, base_url, username="jt01", password="lianchi2023", next_path="/field/"):
    page.goto(f"{base_url}/login?next={next_path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(re.escape(base_url) + r"/(field|checkin)/.*"))
    ready(page)


def ready(page):
    page.wait_for_function("() => document.body.dataset.ready === location.pathname")


def installed(page):
    """The worker controls the page and the shell is cached: only now may the test go offline."""
    page.wait_for_function(SW_READY)


def go_offline(context, page):
    installed(page)
    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")


def check_in_and_team(page, base_url, token):
    page.goto(f"{base_url}/checkin/{token}")
    page.wait_for_url(re.compile(r".*/field/task/\d+/team$"))
    ready(page)
    for n in (0, 1):  # jt01 and jt02, the first two of the team
        page.locator("input[data-cert]").nth(n).check()
    page.get_by_label("已向当事人出示执法证件").check()
    page.get_by_label("检查人员已按规定着装").check()


def fill_checklist(page, *, fail_first=False):
    """Every item: the first method offered, every check point 符合 (or the very first 不符合 with a note)."""
    page.get_by_role("link", name="下一步：检查内容").click()
    ready(page)
    for select in page.locator("section.item select").all():
        select.select_option(index=1)
    for n, point in enumerate(page.locator("li.point").all()):
        label = "不符合" if (fail_first and n == 0) else "符合"
        point.locator("label", has_text=re.compile(f"^{label}$")).click()
    if fail_first:
        page.locator("li.point").first.locator("textarea").fill("消防通道堆放杂物，已当场责令清理。")
        page.get_by_label("发现问题已责令改正").check()
    else:
        page.get_by_label("未发现问题").check()


def draw_signature(page):
    pad = page.locator("canvas.sign-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 120)
    page.mouse.down()
    for dx, dy in ((60, 40), (110, 80), (160, 30), (220, 110), (280, 50)):
        page.mouse.move(x + dx, y + dy, steps=4)
    page.mouse.up()


def outbox_text(page) -> str:
    return page.locator("#outbox").inner_text() if page.locator("#outbox").is_visible() else ""


def to_sign_page(page, base_url, token, *, photo=None, fail_first=False):
    """Check in by the QR URL, confirm the team, fill the checklist (with a photo if given), open 签字确认."""
    check_in_and_team(page, base_url, token)
    fill_checklist(page, fail_first=fail_first)
    if photo:
        add_photo(page, page.locator("li.point").first, photo)
    page.get_by_role("link", name="下一步：签字确认").click()
    ready(page)


def take_picture(page, button, path, thumbnail):
    """The phone's camera: `button` opens it, the picture is the file at `path`; wait for its `thumbnail`."""
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(str(path))
    thumbnail.wait_for()


def add_photo(page, point, path):
    before = point.locator(".thumbs img").count()
    take_picture(page, point.get_by_text("拍照"), path, point.locator(".thumbs img").nth(before))


def submit_offline(page, button: str, done: str):
    """Press the submit `button` of the sign page; the record is locked (`done`) and waits in the outbox."""
    from playwright.sync_api import expect

    page.get_by_role("button", name=button).click()
    page.get_by_text(done).wait_for()
    expect(page.locator("#outbox-count")).to_have_text("待同步 1 条")


def sign_and_submit(page):
    draw_signature(page)
    page.get_by_role("button", name="确认签字并提交").click()
    page.get_by_text("已签字，内容已锁定。").wait_for()


def signed_offline(page, context, base_url, token, **fill):
    """Sign in, go offline, check in at the enterprise of `token`, fill the checklist (`fill`: see to_sign_page)
    and sign: the record waits in the phone's outbox."""
    sign_in(page, base_url)
    go_offline(context, page)
    to_sign_page(page, base_url, token, **fill)
    sign_and_submit(page)


def shot(page, name, at=None):
    """What the phone's screen shows (360×740), scrolled to `at` (a locator) if given, under test-artifacts/ with
    SCREENSHOTS=1 (the scroll either way: a test reads the same without its screenshots)."""
    if at is not None:
        # The app may re-render the view after a background task refresh, detaching the node mid-scroll: once
        # the view is ready again, the locator finds the new one.
        for attempt in range(3):
            try:
                at.scroll_into_view_if_needed()
                break
            except PlaywrightError:
                if attempt == 2:
                    raise
                ready(page)
        page.evaluate("(y) => window.scrollBy(0, y)", -120)  # below the sticky bar and outbox line
    screenshot(page, name, full_page=False)


# The phone's IndexedDB ("spotcheck-field"), read from the page: one store's object by key.
_STORED = """async ([store, key]) => {
  const db = await new Promise((ok, no) => {
    const r = indexedDB.open("spotcheck-field"); r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
  try {
    return await new Promise((ok, no) => {
      const r = db.transaction(store).objectStore(store).get(key); r.onsuccess = () => ok(r.result ?? null);
      r.onerror = () => no(r.error); });
  } finally { db.close(); }
}"""


def stored(page, store: str, key):
    """What the phone has on its disk under `key` in `store` (None if nothing)."""
    return page.evaluate(_STORED, [store, key])


def wait_stored(page, store: str, key, condition, what: str, timeout: float = 60):
    """Wait until the phone's stored object (a dict) satisfies `condition`, and return it."""
    return wait_until(lambda: (found := stored(page, store, key)) is not None and condition(found) and found,
                      timeout, what)
