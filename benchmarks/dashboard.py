"""Benchmark: the office dashboard of a plan with 100,000 records (issue 13).

    python benchmarks/dashboard.py [--url postgresql://postgres@127.0.0.1:5432/dashboard_bench] [--n 100000]

Loads the demo, COPYs `--n` entities and gives each a record of the demo's current plan with SQL (a team of two
departments, a third of them joint with a third; statuses spread over the regime's, parts for the records in
review and after), rebuilds the dashboard's counts (the SQL went past the sessions that keep them), then times
GET /reports/dashboard as the office through the test client, in this process (wall and CPU, min and median).
Targets (built in): at most 0.3 s, at most 10 SQL statements, at most 200 KB of HTML. Min and median of --runs.
The database is recreated (it must be a throwaway one).
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from draw_entities import peak_rss_mb  # noqa: E402
from eligibility_preview import load_entities  # noqa: E402

TARGETS = {"seconds": 0.3, "statements": 10, "html_kb": 200}

RECORDS = """
INSERT INTO inspection_records (token, plan_id, entity_id, status, understaffed, needs_expert, created_at,
    result_codes, refused, due_provisional, late, submitted_at, sync_due, inspected_on)
SELECT md5(e.id::text), :plan, e.id, s.status, e.id % 97 = 0, false, now(),
    CASE WHEN s.status = 'dispatched' THEN '[]' WHEN e.id % 10 = 0 THEN '["corrected"]' ELSE '["no_problem"]' END::json,
    false, false, s.status <> 'dispatched' AND e.id % 13 = 0,
    CASE WHEN s.status = 'dispatched' THEN NULL ELSE now() END,
    CASE WHEN e.id % 3 = 0 THEN NULL ELSE CAST(:start AS date) + (e.id % 40) END,
    CASE WHEN s.status = 'dispatched' THEN NULL ELSE CAST(:start AS date) + (e.id % 40) END
FROM entities e CROSS JOIN LATERAL (SELECT (ARRAY['dispatched', 'dispatched', 'dispatched', 'dispatched', 'submitted',
    'submitted', 'returned', 'approved', 'published', 'published'])[e.id % 10 + 1] AS status) s
WHERE e.id > :above
"""
MEMBERS = """
INSERT INTO record_members (record_id, inspector_id, department_id, kind, is_leader, created_at)
SELECT r.id, :inspector, :department, 'drawn', :leader, now() FROM inspection_records r
WHERE r.plan_id = :plan AND r.entity_id > :above AND r.id % :every = 0
"""
PARTS = """
INSERT INTO review_parts (record_id, department_id, position, status, result_codes, authority, created_at)
SELECT m.record_id, m.department_id, 0, r.status, r.result_codes::text::json, '', now()
FROM record_members m JOIN inspection_records r ON r.id = m.record_id
WHERE r.plan_id = :plan AND r.entity_id > :above AND r.status <> 'dispatched'
"""


def build(n: int):
    from sqlalchemy import func, select, text

    from webapp.core import clock, database
    from webapp.core.extensions import db
    from webapp.faces import demo
    from webapp.stages.accounts.models import User
    from webapp.stages.directory.models import Entity
    from webapp.stages.plans.models import Plan
    from webapp.stages.publication import dashboard_counts

    database.recreate()
    demo.load()
    today = clock.today()
    plan = db.session.scalar(select(Plan).where(Plan.window_start <= today, Plan.window_end >= today))
    above = db.session.scalar(select(func.max(Entity.id)))
    load_entities(db.engine, n)
    t = time.perf_counter()
    people = {u: db.session.scalar(select(User).where(User.username == u)).profile for u in ("jt01", "rs01", "wj01")}
    params = {"plan": plan.id, "above": above}
    db.session.execute(text(RECORDS), {**params, "start": plan.window_start})
    for (username, profile), every, leader in zip(people.items(), (1, 1, 3), (True, False, False)):
        db.session.execute(text(MEMBERS), {**params, "inspector": profile.id, "department": profile.department_id,
                                           "every": every, "leader": leader})
    db.session.execute(text(PARTS), params)
    db.session.commit()
    t_counts = time.perf_counter()
    with db.engine.begin() as connection:  # the SQL above went past the sessions that keep the counts
        dashboard_counts.rebuild(connection)
    print(f"  the dashboard's counts rebuilt in {time.perf_counter() - t_counts:.1f} s")
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    records = db.session.scalar(select(func.count()).where(text(f"plan_id = {plan.id}")).select_from(
        text("inspection_records")))
    print(f"  {records:,} records of plan {plan.doc_number} written with SQL in {time.perf_counter() - t:.1f} s")
    return plan.id


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=os.environ.get("BENCH_PG",
                                                        "postgresql://postgres@127.0.0.1:5432/dashboard_bench"))
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--show", action="store_true", help="print the statements of the last run")
    args = parser.parse_args()

    from sqlalchemy import event

    from webapp import create_app
    from webapp.core.extensions import db
    from webapp.faces import demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.url, "MEDIA_ROOT": tempfile.mkdtemp(), "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "SECRET_KEY": "benchmark"})
    print(f"database: {args.url.split(':')[0]}  records: {args.n:,}  cores: {os.cpu_count()}  "
          f"load average {os.getloadavg()[0]:.2f}")
    with app.app_context():
        plan_id = build(args.n)
        db.session.remove()
    client = app.test_client()
    client.post("/login", data={"username": "office", "password": demo.PASSWORD})
    url = f"/reports/dashboard?plan={plan_id}"
    seen = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    assert client.get(url).status_code == 200  # warm: templates, the session, parts made for old records
    walls, cpus = [], []
    for _ in range(args.runs):
        seen.clear()
        t, cpu = time.perf_counter(), time.process_time()
        page = client.get(url)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - cpu)
        assert page.status_code == 200
    statements, kb = len(seen), len(page.data) / 1024
    if args.show:
        print("\n".join("  SQL " + " ".join(s.split())[:160] for s in seen))
    load = os.getloadavg()
    ok = {"seconds": statistics.median(walls) <= TARGETS["seconds"], "statements": statements <= TARGETS["statements"],
          "html_kb": kb <= TARGETS["html_kb"]}
    print(f"  dashboard: min {min(walls):.3f} s  median {statistics.median(walls):.3f} s wall  "
          f"CPU min {min(cpus):.3f} s  median {statistics.median(cpus):.3f} s  (target ≤ {TARGETS['seconds']} s: "
          f"{'met' if ok['seconds'] else 'missed'})")
    print(f"  {statements} SQL statements (target ≤ {TARGETS['statements']}: {'met' if ok['statements'] else 'missed'})"
          f"  HTML {kb:.0f} KB (target ≤ {TARGETS['html_kb']} KB: {'met' if ok['html_kb'] else 'missed'})")
    print(f"  peak RSS {peak_rss_mb():.0f} MB (this process; the database's work is in its backend)  "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    return 0 if all(ok.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
