"""Benchmark: the eligibility preview of a plan over 1,000,000 entities on PostgreSQL (issue 13: ≤ 0.2 s).

    python benchmarks/eligibility_preview.py [--rows 1000000] [--pg postgresql://postgres@127.0.0.1:5432/eligibility_bench]
                                             [--reuse] [--runs 3]

Entities are bulk-loaded with COPY, then VACUUM ANALYZE (what autovacuum does after a load that size: the
visibility map lets the preview read its index alone); the plan carries the 2023 rules (category, registered
before, annual report, status). Timed, `--runs` runs each (min / median wall, median CPU of this process, of the
PostgreSQL backend and of its parallel workers, the load beside them): the summary (counts per risk level, draw
counts, excluded by reason), the excluded list's first page and a deep one (by keyset, after the id of the last
excluded entity but 50), and GET of the whole preview page as the office opens it.

The workers' CPU is what the postmaster reaped from its exiting children during the run: on a quiet server that
is the query's parallel workers alone (on a busy one, other sessions' backends that ended meanwhile too).
"""
import argparse
import os
import random
import resource
import secrets
import statistics
import tempfile
import time
from datetime import date, timedelta

STATUSES = ["合格"] * 17 + ["注销", "吊销", "不合格"]
CATEGORIES = ["校外培训机构"] * 18 + ["幼儿园", "托育机构"]
LEVELS = ["high"] + ["higher"] * 4 + ["general"] * 12 + ["low"] * 9


def copy_entities(connection, rows: int, chunk: int = 100_000, jurisdiction_id: int | None = None):
    """COPY rows into entities, in chunks, through psycopg 3's copy protocol (placed in `jurisdiction_id`)."""
    rng = random.Random(2023)
    raw = connection.connection.dbapi_connection
    now = "2024-01-01 00:00:00+00"
    with raw.cursor() as cur:
        for start in range(0, rows, chunk):
            with cur.copy("COPY entities (uscc, name, registered_on, annual_report_years, status, risk_level, "
                          "category, checksum_override, checkin_token, updated_at, jurisdiction_id) FROM STDIN") as copy:
                for i in range(start, min(start + chunk, rows)):
                    registered = date(2005, 1, 1) + timedelta(days=rng.randrange(0, 6940))
                    years = ",".join(str(y) for y in range(max(registered.year + 1, 2019), 2024) if rng.random() > .05)
                    copy.write_row((f"91130606{i:010d}", f"第{i}号培训学校", registered, years, rng.choice(STATUSES),
                                    rng.choice(LEVELS), rng.choice(CATEGORIES), False, secrets.token_hex(12), now,
                                    jurisdiction_id))
    raw.commit()


def load_entities(engine, rows: int, jurisdiction_id: int | None = None) -> None:
    """COPY `rows` entities in and VACUUM ANALYZE them, saying how long it took (not timed by any target)."""
    t = time.perf_counter()
    with engine.connect() as connection:
        copy_entities(connection, rows, jurisdiction_id=jurisdiction_id)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE entities")
    print(f"loaded {rows:,} entities with COPY in {time.perf_counter() - t:.1f} s")


def office_world(db):
    """The benchmarks' district, its department, its office account (bench_office) and the 2023 plan, committed:
    (place, dept, office, plan)."""
    from webapp.faces.demo import seed2023
    from webapp.stages.accounts.models import Department, Jurisdiction, User
    from webapp.stages.plans.models import Plan

    place = Jurisdiction(code="130606", name="莲池区", level="district")
    dept = Department(code="jiaoti", name="莲池区教育和体育局", jurisdiction=place)
    office = User(username="bench_office", full_name="双随机办", jurisdiction=place)
    office.set_password("bench-password-1")
    office.set_roles(["office_admin"])
    db.session.add_all([dept, office])
    db.session.flush()
    plan = Plan(lead_department=dept, jurisdiction_id=place.id, **seed2023.PLAN)
    db.session.add(plan)
    db.session.commit()
    return place, dept, office, plan


def timed(fn, runs=3):
    """(min wall, median wall, median CPU here, median CPU of the PostgreSQL backend, median CPU of its parallel
    workers, the last result); each run in its own transaction, as each request is."""
    from sqlalchemy import text

    from webapp.core.extensions import db

    walls, cpus, backend, workers = [], [], [], []
    for _ in range(runs):
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        parent = int(_stat(pid)[1])  # the postmaster, which reaps the parallel workers
        w, c, b, r = time.perf_counter(), time.process_time(), backend_cpu(pid), reaped_cpu(parent)
        result = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
        backend.append(backend_cpu(pid) - b)
        workers.append(reaped_cpu(parent) - r)
        db.session.rollback()
    return (min(walls), statistics.median(walls), statistics.median(cpus), statistics.median(backend),
            statistics.median(workers), result)


def _stat(pid: int) -> list[str]:
    """/proc/<pid>/stat's fields after the command name (state first)."""
    return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()


def backend_cpu(pid: int) -> float:
    """User + system CPU seconds of a local PostgreSQL backend."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reaped_cpu(pid: int) -> float:
    """User + system CPU seconds of the exited children `pid` has waited for."""
    fields = _stat(pid)
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG",
                                                       "postgresql://postgres@127.0.0.1:5432/eligibility_bench"))
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database from an earlier run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from webapp import create_app
    from webapp.core import database
    from webapp.core.extensions import db
    from webapp.stages.directory.models import Entity
    from webapp.stages.plans import eligibility
    from webapp.stages.plans.models import Plan

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.pg, "MEDIA_ROOT": tempfile.mkdtemp(),
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        if not args.reuse:
            database.recreate()
            place, _, _, _ = office_world(db)
            load_entities(db.engine, args.rows, place.id)
        plan = db.session.scalar(db.select(Plan))
        figures = eligibility.summary(plan)
        deep = db.session.scalars(db.select(Entity.id).where(eligibility.reason_code(plan.rules).is_not(None),
                                                             eligibility.in_area(plan))
                                  .order_by(Entity.id.desc()).offset(50).limit(1)).first()
        total = figures["excluded_total"]
        cases = {"summary": lambda: eligibility.summary(plan),
                 "excluded page 1": lambda: eligibility.excluded_after(plan, None, total=total),
                 "excluded, deep page": lambda: eligibility.excluded_after(plan, deep, total=total)}
        for label, fn in cases.items():
            best, median, cpu, backend, workers, _ = timed(fn, args.runs)
            print(f"{label:20} min {best:.3f} s  median {median:.3f} s  cpu {cpu:.3f} s  backend cpu {backend:.3f} s"
                  f"  workers cpu {workers:.3f} s  load {os.getloadavg()[0]:.1f}")
        client = app.test_client()
        client.post("/login", data={"username": "bench_office", "password": "bench-password-1"})
        walls, cpus = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            response = client.get(f"/plans/{plan.id}/eligibility")
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        ok = "ok" if statistics.median(walls) <= 0.2 else "MISSES"
        print(f"GET /plans/{plan.id}/eligibility: HTTP {response.status_code}, min {min(walls):.3f} s, median "
              f"{statistics.median(walls):.3f} s, cpu {statistics.median(cpus):.3f} s here (target ≤ 0.2 s: {ok})"
              f"  load {os.getloadavg()[0]:.1f}")
        print(f"eligible {figures['eligible']}; draw {figures['draw']['by_level']} total {figures['draw']['total']} "
              f"floor met {figures['draw']['floor_met']}; excluded {figures['excluded_total']}:")
        for group in figures["excluded"]:
            print(f"  {group['count']:>8}  {group['text']}")
        print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB (this process)")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
