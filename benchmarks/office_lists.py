"""Benchmark: an office list at 1,000,000 rows on PostgreSQL — the follow-up list (后续监管), keyset-paged by
(deadline, id) — page 1 and a deep page, as the office opens them (issue 13: every office list holds at 1M).

    python benchmarks/office_lists.py [--n 1000000] [--url postgresql://postgres@127.0.0.1:5432/office_lists_bench]
                                      [--reuse]

The data is generated in the database (generate_series: entities, one record per entity, one follow-up task per
record, deadlines over a year, one in ten closed), then ANALYZEd. Timed in this process, three runs each
(min / median wall, median CPU): GET /followup/ (open tasks, page 1), the same past 95% of the deadlines, and
?status=all deep. Target (the directory's): page 1 ≤ 0.1 s, a deep page ≤ 0.15 s. Prints peak RSS of this
process and the machine's load beside the figures.
"""
import argparse
import os
import resource
import tempfile
import time

from directory_list import timed  # the same min/median timing as the directory benchmark

TARGETS = {"open, page 1": 0.1, "open, deep page": 0.15, "all, deep page": 0.15}

LOAD = """
INSERT INTO entities (uscc, name, annual_report_years, status, risk_level, category, checksum_override,
                      checkin_token, updated_at, jurisdiction_id)
  SELECT '91130606' || lpad(i::text, 10, '0'), '第' || i || '号培训学校', '2023', '合格', 'general', '校外培训机构',
         false, md5(i::text), now(), :jurisdiction FROM generate_series(1, :n) AS i;
INSERT INTO inspection_records (token, plan_id, entity_id, status, understaffed, needs_expert, created_at,
                                result_codes, refused, due_provisional, late)
  SELECT md5('r' || id), :plan, id, 'published', false, false, now(), '[]', false, false, false FROM entities;
INSERT INTO follow_up_tasks (record_id, department_id, reason, opened_at, deadline, deadline_provisional, status)
  SELECT id, :department, '', now(), DATE '2026-01-01' + (id::bigint * 7919 % 365)::int, false,
         CASE WHEN id % 10 = 0 THEN 'closed' ELSE 'open' END FROM inspection_records;
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--url", default=os.environ.get(
        "BENCH_PG", "postgresql://postgres@127.0.0.1:5432/office_lists_bench"))
    parser.add_argument("--port", type=int, default=0, help="unused: the pages are requested in this process")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database from an earlier run")
    args = parser.parse_args()

    from sqlalchemy import text

    from webapp import create_app
    from webapp.core import database
    from webapp.core.extensions import db
    from webapp.faces.demo import seed2023
    from webapp.stages.accounts.models import Department, Jurisdiction, User
    from webapp.stages.plans.models import Plan

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "MEDIA_ROOT": tempfile.mkdtemp(),
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        if not args.reuse:
            database.recreate()
            place = Jurisdiction(code="130606", name="莲池区", level="district")
            dept = Department(code="jiaoti", name="莲池区教育和体育局", jurisdiction=place)
            plan = Plan(lead_department=dept, **seed2023.PLAN)
            office = User(username="bench_office", full_name="双随机办", jurisdiction=place)
            office.set_password("bench-password-1")
            office.set_roles(["office_admin"])
            db.session.add_all([plan, office])
            db.session.commit()
            t = time.perf_counter()
            for statement in LOAD.split(";")[:-1]:
                db.session.execute(text(statement), {"n": args.n, "jurisdiction": place.id, "plan": plan.id,
                                                     "department": dept.id})
            db.session.commit()
            with db.engine.begin() as connection:
                for table in ("entities", "inspection_records", "follow_up_tasks"):
                    connection.exec_driver_sql(f"ANALYZE {table}")
            print(f"generated {args.n:,} entities, records and follow-up tasks in {time.perf_counter() - t:.1f} s")
        db.session.remove()

    client = app.test_client()
    client.post("/login", data={"username": "bench_office", "password": "bench-password-1"})
    cases = {"open, page 1": "/followup/", "open, deep page": "/followup/?after=2026-12-18~0",
             "all, deep page": "/followup/?status=all&after=2026-12-18~0"}
    for label, url in cases.items():
        best, median, cpu, response = timed(lambda: client.get(url))
        html = response.get_data(as_text=True)
        shown = html.count('class="task row')
        ok = "ok" if median <= TARGETS[label] else "MISSES"
        print(f"{label:16} min {best:.3f} s  median {median:.3f} s  cpu {cpu:.3f} s  HTTP {response.status_code}, "
              f"{shown} shown, {len(html) // 1024} KB  target ≤ {TARGETS[label]} s: {ok}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB (this process; PostgreSQL's own work is in its backend)  "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
