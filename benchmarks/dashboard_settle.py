"""Benchmark: what the dashboard's settle costs per record, by the size of its batch (issue 17).

A phone's submission marks its record (dashboard_stale) instead of refreshing the dashboard's kept counts at its
commit; `dashboard_reads.settle` refreshes the marked records together. This marks `--n` submitted records of a
database sync_rush.py has run on and settles them in batches of 1 (what each commit did, plus a transaction of its
own), 100 and all: wall (this process and PostgreSQL's backend in turn, one connection) and this process's CPU per
record. The records' facts are current, so no count moves (the upsert a real submission adds is not costed).

    python benchmarks/sync_rush.py --runs 1 && python benchmarks/dashboard_settle.py
        [--url postgresql://postgres@127.0.0.1:5432/bench_sync_rush] [--n 600]
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/bench_sync_rush")
    parser.add_argument("--n", type=int, default=600)
    args = parser.parse_args()

    from sqlalchemy import select

    from webapp import create_app
    from webapp.core.extensions import db
    from webapp.stages.publication import dashboard_counts, dashboard_reads
    from webapp.stages.records.models import InspectionRecord as R

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "TESTING": True, "SECRET_KEY": "benchmark"})
    with app.app_context():
        ids = list(db.session.scalars(select(R.id).where(R.submitted_at.is_not(None)).order_by(R.id).limit(args.n)))
        if len(ids) < args.n:
            sys.exit(f"only {len(ids)} submitted records in {args.url}: run sync_rush.py on it first")
        dashboard_reads.settle()
        db.session.remove()
        for batch in (1, 100, args.n):
            start, cpu = time.perf_counter(), time.process_time()
            for at in range(0, args.n, batch):
                chunk = ids[at:at + batch]
                with db.engine.begin() as connection:
                    connection.execute(dashboard_counts.DashboardStale.__table__.insert(),
                                       [{"record_id": i} for i in chunk])
                assert dashboard_reads.settle() == len(chunk)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            print(f"settle in batches of {batch}: {1000 * wall / args.n:.3f} ms wall, "
                  f"{1000 * cpu / args.n:.3f} ms CPU of this process per record; load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
