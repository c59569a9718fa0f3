"""Benchmark: the review and report work on a plan of N submitted records (SQLite by default).

    python benchmarks/reports_documents.py [--records 250] [--db postgresql://postgres@127.0.0.1:5432/reports_bench]

Timed: one 一企一表 PDF (4 photos, embedded CJK font subset), the print view HTML, the plan's results XLSX and
teams XLSX, the dashboard page, and the office's review queue, each through the real app and test client.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn, repeat=3):
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs), out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=250, help="at most 299: the demo directory has 300 entities")
    parser.add_argument("--db", default="")
    args = parser.parse_args()

    from tests.conftest import Auth
    from tests.review.factory import make_record, own_plan
    from webapp import create_app
    from webapp.core import database
    from webapp.core.extensions import db
    from webapp.faces import demo as demo_data

    tmp = Path(tempfile.mkdtemp(prefix="reports-bench-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.db or f"sqlite:///{tmp / 'bench.db'}",
                      "MEDIA_ROOT": str(tmp / "media"), "TESTING": True})
    with app.app_context():
        database.recreate()
        demo_data.load()
        t = time.perf_counter()
        codes = [("no_problem",), ("corrected",), ("not_disclosed", "follow_up")]
        for i in range(args.records):
            c = codes[i % 3]
            make_record(departments=("jiaoti", "renshe") if i % 2 else ("weijian",), codes=c,
                        fail=c != ("no_problem",), refused=i % 7 == 0, late=i % 5 == 0, photos=1 if i % 10 else 0,
                        entity_index=i)
        build = time.perf_counter() - t
        plan = own_plan()
        big = make_record(departments=("jiaoti", "renshe"), photos=2, entity_index=args.records)
        client = app.test_client()
        Auth(client).login("office")

        def get(url):
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            return len(r.data)

        rows = [
            ("一企一表 PDF（4 张照片）", *timed(lambda: get(f"/reports/records/{big.id}/pdf"))),
            ("一企一表打印页 HTML", *timed(lambda: get(f"/reports/records/{big.id}/print"))),
            (f"检查结果 XLSX（{args.records + 1} 行）", *timed(lambda: get(f"/reports/plans/{plan.id}/results.xlsx"))),
            ("抽取名单及检查组 XLSX", *timed(lambda: get(f"/reports/plans/{plan.id}/teams.xlsx"))),
            ("工作看板", *timed(lambda: get(f"/reports/dashboard?plan={plan.id}"))),
            ("审核队列（全部）", *timed(lambda: get("/review/?f=all"))),
        ]
        print(f"database: {db.engine.url.get_backend_name()}, records: {args.records + 1} (built in {build:.1f} s)")
        for name, seconds, size in rows:
            print(f"  {name:<28} {seconds * 1000:8.0f} ms  {size / 1024:8.0f} KiB")


if __name__ == "__main__":
    main()
