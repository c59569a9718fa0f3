"""Lighthouse (npm package `lighthouse`, mobile preset, applied throttling) on Debian's Chromium for /field/,
/login and /public/ of a server it starts (tests/factories.py data, signed in as jt01 for /field/) or of --url.

    npm install --prefix /tmp/lh lighthouse
    python benchmarks/lighthouse.py [--url http://127.0.0.1:5000] [--n 3] [--lighthouse /tmp/lh/node_modules/.bin/lighthouse]

Prints, per page, the four category scores and LCP/TBT/CLS (min and median over --n runs) and the audits that
failed, with the wall and CPU time of the Lighthouse processes (children), peak RSS and the machine's load.
/field/ needs a session: the cookie of a sign-in made here goes to Lighthouse as an extra header.
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM = "/usr/bin/chromium"
PAGES = ("/field/", "/login", "/public/")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def session_cookie(base: str) -> str:
    """Sign in as jt01 with a plain HTTP client and return the Cookie header."""
    import http.cookiejar
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({"username": "jt01", "password": "lianchi2023", "csrf_token": token}).encode()
    opener.open(f"{base}/login", body)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def run(lighthouse: str, url: str, cookie: str | None, out: Path) -> dict:
    cmd = [lighthouse, url, "--quiet", "--output=json", f"--output-path={out}", "--form-factor=mobile",
           "--throttling-method=simulate", "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
           "--only-categories=" + ",".join(CATEGORIES)]
    if cookie:
        cmd.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    return json.loads(out.read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="an existing server with the demo accounts")
    parser.add_argument("--n", type=int, default=3)
    parser.add_argument("--lighthouse", default="/tmp/lh/node_modules/.bin/lighthouse")
    args = parser.parse_args()
    if not Path(args.lighthouse).exists():
        sys.exit(f"Lighthouse not found at {args.lighthouse}: npm install --prefix /tmp/lh lighthouse")
    wall0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        if args.url:
            base = args.url.rstrip("/")
        else:
            from benchmarks.weak_phone import build, serve

            app, _ = build(Path(tmp))
            base = serve(app)
        cookie = session_cookie(base)
        for page in PAGES:
            reports = [run(args.lighthouse, base + page, cookie if page == "/field/" else None, Path(tmp) / "r.json")
                       for _ in range(args.n)]
            scores = {c: [r["categories"][c]["score"] * 100 for r in reports] for c in CATEGORIES}
            audits = reports[-1]["audits"]
            lcp = [r["audits"]["largest-contentful-paint"]["numericValue"] / 1000 for r in reports]
            tbt = [r["audits"]["total-blocking-time"]["numericValue"] for r in reports]
            cls = [r["audits"]["cumulative-layout-shift"]["numericValue"] for r in reports]
            line = "  ".join(f"{c} {min(v):.0f}/{statistics.median(v):.0f}" for c, v in scores.items())
            print(f"{page:9} {line}  LCP {min(lcp):.2f}/{statistics.median(lcp):.2f} s  "
                  f"TBT {statistics.median(tbt):.0f} ms  CLS {statistics.median(cls):.3f}")
            cats = reports[-1]["categories"]
            failing = sorted({ref["id"] for c in CATEGORIES for ref in cats[c]["auditRefs"]
                              if ref.get("weight", 0) > 0 and audits[ref["id"]].get("score") is not None
                              and audits[ref["id"]]["score"] < 0.9})
            if failing:
                print("          below 0.9: " + ", ".join(failing))
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"(scores min/median of {args.n} runs) wall {time.perf_counter() - wall0:.0f} s; Lighthouse+Chromium CPU "
          f"{kids.ru_utime + kids.ru_stime:.0f} s, peak RSS {kids.ru_maxrss / 1024:.0f} MB; "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
