"""Issue 16 §2: the field app on a weak phone over a bad network, in Debian's Chromium driven by Playwright.

CDP throttling on every page: `Emulation.setCPUThrottlingRate` 4 and `Network.emulateNetworkConditions`
400 kbit/s both ways with 400 ms of latency. Budgets (each step's wall time, and the page's JS main-thread time of
the step: CDP `Performance.getMetrics` TaskDuration and ScriptDuration deltas):

    first visit to /field/ usable (signed in, nothing cached)   ≤ 5 s
    installed app opening offline                               ≤ 1.5 s
    opening a task                                              ≤ 0.5 s
    tapping an answer reflected (the next frame painted)        ≤ 100 ms
    signing (确认签字并提交 to 已签字)                               ≤ 1 s
    task list of 200 tasks (the app opened again)               ≤ 1 s

    python benchmarks/weak_phone.py [--n 3] [--url http://127.0.0.1:5000]

Each step is timed in the page (performance.now(), from the navigation's start or the tap) to the end of the
main thread's work for the frame that shows the result; a tap or a task opened waits first for the screen to be
drawn and the main thread idle, as a finger would. The 200-task list is opened in a new tab of a context where
the app is installed.

Without --url it builds a small database with tests/factories.py (the record of jt01's team, and 200 tasks for
wj01) and serves it on a free port in this process. With --url the server must have those accounts and tasks.
Each step is run --n times (a fresh browser context each), min and median are printed, with the wall and CPU
time and peak RSS of this process and of its children (Chromium), and the machine's load.
"""
import argparse
import os
import re
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
NETWORK = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
BUDGETS = {  # seconds
    "first visit to /field/": 5.0, "installed app opening offline": 1.5, "opening a task": 0.5,
    "tapping an answer": 0.1, "signing": 1.0, "task list of 200 tasks": 1.0,
}
MANY = 200


def build(tmp: Path):
    """A fresh SQLite database: the small world, jt01's record, and MANY tasks for wj01."""
    from tests import factories
    from webapp import create_app
    from webapp.core import database
    from webapp.core.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
                      "MEDIA_ROOT": str(tmp / "media"), "WTF_CSRF_ENABLED": True})
    with app.app_context():
        database.recreate()
        world = factories.world()
        pair = factories.dispatched_pair(world.current)
        token = pair.record.entity.checkin_token
        for target in factories.entities(MANY):
            factories.dispatched(world.current, target, ("wj01", "rs01"))
        db.session.commit()
        db.engine.dispose()
    return app, token


def serve(app) -> str:
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


class Phone:
    """One page with CDP throttling and main-thread metrics."""

    def __init__(self, context):
        self.context = context
        context.add_init_script(SHOWN)
        self.page = context.new_page()
        self.cdp = context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")
        self.throttle()

    def throttle(self):
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", NETWORK)
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})

    def metrics(self) -> dict:
        return {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}

    def step(self, name, action, results):
        before = self.metrics()
        t0 = time.perf_counter()
        measured = action()
        wall = measured if measured is not None else time.perf_counter() - t0
        after = self.metrics()
        # A navigation starts a new document whose counters start at zero: then its own totals are the step's.
        fresh = after["TaskDuration"] < before["TaskDuration"]
        delta = lambda key: after[key] - (0 if fresh else before[key])  # noqa: E731
        results.setdefault(name, []).append((wall, delta("TaskDuration"), delta("ScriptDuration")))

    def ready(self, path_re=None):
        self.page.wait_for_function("() => document.body.dataset.ready === location.pathname", timeout=60000)

    def shown(self, url, count=1):
        """Navigate; the seconds from the navigation's start to the painted frame showing `count` task links."""
        self.page.goto(url, wait_until="commit")
        return self.page.evaluate("([s, n]) => window.__shown(s, n)", ["a[href^='/field/task/']", count])


def sign_in(page, base, username):
    page.goto(f"{base}/login?next=/home")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill("lianchi2023")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/home$"))


# Each step is timed in the page itself, up to the main thread's end of the frame that shows the result (a task
# queued from that frame's requestAnimationFrame runs once it is painted). Playwright's own waiting would put the
# compiling of its 300 KB injected script on the throttled main thread, which a real phone never runs.
PAINTED = "new Promise((ok) => requestAnimationFrame(() => setTimeout(ok)))"
# A finger taps a screen it has seen: the screen drawn and the page's start-up work done (the main thread idle).
SETTLED = "%s.then(() => new Promise((ok) => requestIdleCallback(ok, { timeout: 3000 })))" % PAINTED
SHOWN = """
window.__shown = (selector, count) => new Promise((ok) => {
  const check = () => {
    const ready = document.body && document.body.dataset.ready === location.pathname;
    if (ready && document.querySelectorAll(selector).length >= count) %s.then(() => ok(performance.now() / 1000));
    else requestAnimationFrame(check);
  };
  check();
});""" % PAINTED
OPEN_TASK = """async () => {
  await %s;
  const t0 = performance.now();
  document.querySelector("a[href^='/field/task/']").click();
  while (!/^\\/field\\/task\\/\\d+$/.test(document.body.dataset.ready || "")) await new Promise((ok) => requestAnimationFrame(ok));
  await %s;
  return (performance.now() - t0) / 1000;
}""" % (SETTLED, PAINTED)

TAP = """async () => {
  await %s;
  const label = [...document.querySelectorAll("li.point label")].find((l) => l.textContent.trim() === "符合");
  const input = label.querySelector("input") || document.getElementById(label.htmlFor);
  const selector = `input[name="${input.name}"][value="${input.value}"]`;
  const t0 = performance.now();
  label.click();
  // The app shows an answer once its write is on disk: wait for the frame that shows it checked.
  while (!document.querySelector(selector).checked) {
    if (performance.now() - t0 > 10000) throw new Error("the answer did not take");
    await new Promise((ok) => requestAnimationFrame(ok));
  }
  await %s;
  return (performance.now() - t0) / 1000;
}""" % (SETTLED, PAINTED)


def one_run(browser, base, token, results):
    from tests.field.browser.walk import draw_signature, fill_checklist

    context = browser.new_context(**PHONE)
    try:
        phone = Phone(context)
        page = phone.page
        sign_in(page, base, "jt01")
        phone.step("first visit to /field/", lambda: phone.shown(f"{base}/field/"), results)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60000)
        page.wait_for_function("async () => (await caches.keys()).length > 0 && (await navigator.serviceWorker.ready).active !== null")

        context.set_offline(True)

        phone.step("installed app opening offline", lambda: phone.shown(f"{base}/field/"), results)
        phone.step("opening a task", lambda: page.evaluate(OPEN_TASK), results)

        page.goto(f"{base}/checkin/{token}")
        page.wait_for_url(re.compile(r".*/field/task/\d+/team$"))
        phone.ready()
        for n in (0, 1):
            page.locator("input[data-cert]").nth(n).check()
        page.get_by_label("已向当事人出示执法证件").check()
        page.get_by_label("检查人员已按规定着装").check()
        page.get_by_role("link", name="下一步：检查内容").click()
        phone.ready()
        phone.step("tapping an answer", lambda: page.evaluate(TAP), results)

        page.go_back()
        phone.ready()
        fill_checklist(page)
        page.get_by_role("link", name="下一步：签字确认").click()
        phone.ready()
        draw_signature(page)

        def sign():
            page.get_by_role("button", name="确认签字并提交").click()
            page.get_by_text("已签字，内容已锁定。").wait_for()
        phone.step("signing", sign, results)
    finally:
        context.close()

    context = browser.new_context(**PHONE)
    try:
        phone = Phone(context)
        page = phone.page
        sign_in(page, base, "wj01")
        page.goto(f"{base}/field/")
        phone.ready()
        page.locator("a[href^='/field/task/']").nth(MANY - 1).wait_for(timeout=60000)
        page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=60000)
        page.evaluate(f"() => {SETTLED}")
        page.close()
        again = Phone(context)                     # the app opened again: a new tab, the worker installed
        again.step("task list of 200 tasks", lambda: again.shown(f"{base}/field/", MANY), results)
    finally:
        context.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="an existing server (with jt01's record and wj01's 200 tasks)")
    parser.add_argument("--token", help="with --url: the check-in token of jt01's record")
    parser.add_argument("--n", type=int, default=3, help="runs (default 3)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    wall0, cpu0 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        if args.url:
            base, token = args.url.rstrip("/"), args.token
        else:
            app, token = build(Path(tmp))
            base = serve(app)
        results = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for _ in range(args.n):
                one_run(browser, base, token, results)
            browser.close()
    failed = []
    print(f"{'step':34} {'min':>8} {'median':>8} {'budget':>7}  main-thread task / script (median)")
    for name, budget in BUDGETS.items():
        rows = results.get(name, [])
        walls = [r[0] for r in rows]
        lo, med = min(walls), statistics.median(walls)
        task, script = statistics.median(r[1] for r in rows), statistics.median(r[2] for r in rows)
        ok = med <= budget
        failed += [] if ok else [name]
        print(f"{name:34} {lo:7.3f}s {med:7.3f}s {budget:6.2f}s  {task * 1000:7.0f} ms / {script * 1000:6.0f} ms"
              f"  {'ok' if ok else 'OVER BUDGET'}")
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"wall {time.perf_counter() - wall0:.1f} s; CPU (server and driver) {time.process_time() - cpu0:.1f} s, "
          f"peak RSS {me.ru_maxrss / 1024:.0f} MB; Chromium CPU {kids.ru_utime + kids.ru_stime:.1f} s, "
          f"peak RSS {kids.ru_maxrss / 1024:.0f} MB; load {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"runs {args.n}, CPU ×4, {NETWORK['latency']} ms RTT, 400 kbit/s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
