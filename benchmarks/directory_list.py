"""Benchmark: the directory's list and searches at a province's size on PostgreSQL (issue 13's table).

    python benchmarks/directory_list.py [--n 1000000] [--url postgresql://postgres@127.0.0.1:5432/directory_bench]

Entities are COPY-loaded (eligibility_preview.load_entities), ANALYZEd, then each query of the directory page is
timed in this process, three runs each (min / median): the page's items by keyset plus its bounded/estimated
count, and the page's risk-level counters. Targets: page 1 ≤ 0.1 s, a deep page (cursor past 95% of the ids)
≤ 0.15 s, name search ≤ 0.1 s, USCC prefix (100,000 matches at 1M) ≤ 0.1 s (the counters: within page 1's). Prints wall, CPU and peak RSS of this process and the load.
"""
import argparse
import os
import resource
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))

TARGETS = {"page 1": 0.1, "deep page": 0.15, "name, few hits": 0.1, "name, many hits": 0.1, "USCC prefix": 0.1,
           "risk counters": 0.1}


def timed(fn, runs=3):
    walls, cpus = [], []
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return min(walls), statistics.median(walls), statistics.median(cpus), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--url", default=os.environ.get("BENCH_PG",
                                                        "postgresql://postgres@127.0.0.1:5432/directory_bench"))
    parser.add_argument("--port", type=int, default=0, help="unused: the queries run in this process")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database from an earlier run")
    args = parser.parse_args()

    from eligibility_preview import load_entities

    from webapp import create_app
    from webapp.core import database, keyset
    from webapp.core.extensions import db
    from webapp.stages.directory import search
    from webapp.stages.directory.models import Entity

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "MEDIA_ROOT": tempfile.mkdtemp()})
    with app.app_context():
        if not args.reuse:
            database.recreate()
            load_entities(db.engine, args.n)
        top = db.session.scalar(db.select(db.func.max(Entity.id)))
        # copy_entities writes 91130606{i:010d}: the ids below n / 10 share this prefix (100,000 matches at 1M).
        prefix = "91130606" + "0" * (11 - len(str(args.n - 1)))
        cases = {
            "page 1": (db.select(Entity), None),
            "deep page": (db.select(Entity), int(top * 0.95)),
            "name, few hits": (db.select(Entity).where(search.matching(f"第{args.n // 2}号")), None),
            "name, many hits": (db.select(Entity).where(search.matching("9号培训")), None),
            "USCC prefix": (db.select(Entity).where(search.matching(prefix)), None),
        }
        for label, (query, after) in cases.items():
            best, median, cpu, page = timed(lambda: keyset.page(query, Entity.id, after, 25))
            db.session.rollback()
            ok = "ok" if median <= TARGETS[label] else "MISSES"
            print(f"{label:16} min {best:.3f} s  median {median:.3f} s  cpu {cpu:.3f} s  "
                  f"{len(page.items)} shown, {page.count_label}  target ≤ {TARGETS[label]} s: {ok}")
        # The page's four counters (bounded counts, else the planner's estimate), once a full scan per page.
        best, median, cpu, labels = timed(lambda: [keyset.label(*keyset.count(db.select(Entity.id).where(
            Entity.risk_level == level))) for level in ("high", "higher", "general", "low")])
        ok = "ok" if median <= TARGETS["risk counters"] else "MISSES"
        print(f"{'risk counters':16} min {best:.3f} s  median {median:.3f} s  cpu {cpu:.3f} s  {' / '.join(labels)}"
              f"  target ≤ {TARGETS['risk counters']} s: {ok}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB (this process; PostgreSQL's own work is in its backend)  "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
