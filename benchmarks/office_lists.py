"""Benchmark: the office's lists at 1,000,000 rows on PostgreSQL — the follow-ups (后续监管, keyset on (deadline,
id)), the review queue (审核队列, its filters in SQL, keyset on (submitted_at, id)), a plan's publication page (公示:
the approved and the published parts, keyset on the part), an import batch's rows (导入预览, keyset on the line), a
plan's excluded entities (抽查对象预览) and the audit page (操作日志, newest first) — page 1 and a deep page, as the
office opens them (issue 13: every office list holds at 1M).

    python benchmarks/office_lists.py [--n 1000000] [--url postgresql://postgres@127.0.0.1:5432/office_lists_bench]
                                      [--reuse]

The data is generated in the database (generate_series: entities, one record per entity, one follow-up task per
record, deadlines over a year, one in ten closed; the records' statuses spread over review and publication with
one part each, the dashboard's counts rebuilt; 1M audit events of the office; an import batch of 1M rows), then
ANALYZEd; `--reuse` keeps it (and adds what an older run's database lacks). Timed in this process, three runs each
(min / median wall, median CPU): GET /followup/ (open tasks, page 1), the same past 95% of the deadlines, and
?status=all deep. Target (the directory's): page 1 ≤ 0.1 s, a deep page ≤ 0.15 s. Prints peak RSS of this
process and the machine's load beside the figures.
"""
import argparse
import os
import resource
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from directory_list import timed  # the same min/median timing as the directory benchmark
from eligibility_preview import bench_app  # the same district, department, office account and plan

PAGE_1, DEEP = 0.1, 0.15  # the directory's targets

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
# The lists' data (added to a database of the follow-up run above when it lacks them). Records: 30% submitted, 10%
# returned, 30% approved, 30% published, one in 13 late, one in 17 refused, one in 10 with a disposition (发现问题);
# each with one part in the record's state.
LISTS = """
UPDATE plans SET jurisdiction_id = :jurisdiction, status = 'drawn' WHERE id = :plan;
UPDATE inspection_records SET
    status = (ARRAY['submitted', 'submitted', 'submitted', 'returned', 'approved', 'approved', 'approved',
                    'published', 'published', 'published'])[id % 10 + 1],
    submitted_at = TIMESTAMPTZ '2026-01-01 00:00:00+00' + id * INTERVAL '1 second',
    late = id % 13 = 0, refused = id % 17 = 0,
    result_codes = CASE WHEN id % 10 = 5 THEN '["corrected"]' ELSE '["no_problem"]' END::json,
    has_problems = id % 10 = 5;
INSERT INTO review_parts (record_id, department_id, position, status, result_codes, authority, created_at,
                          published_at)
  SELECT id, :department, 0, status, result_codes::text::json, '莲池区教育和体育局', now(),
         CASE WHEN status = 'published' THEN submitted_at + INTERVAL '1 day' END FROM inspection_records;
INSERT INTO audit_events (at, user_id, ip, action, object_type, object_id, detail)
  SELECT TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL '1 second', :office, '127.0.0.1',
         (ARRAY['review.approve', 'record.publish', 'login', 'plan.create', 'followup.close'])[i % 5 + 1],
         'InspectionRecord', i::text, '{}'::json FROM generate_series(1, :n) AS i;
INSERT INTO import_rows (batch_id, line, action, key, data, changes, reasons, raw, overridable, jurisdiction_id)
  SELECT :batch, i + 1,
         (ARRAY['create', 'update', 'unchanged', 'rejected'])[i % 4 + 1], '91130606' || lpad(i::text, 10, '0'),
         json_build_object('name', '第' || i || '号培训学校'), '{}', CASE WHEN i % 4 = 3 THEN '统一社会信用代码校验位错误' ELSE '' END,
         json_build_array('第' || i || '号培训学校'), false, :jurisdiction FROM generate_series(1, :n) AS i;
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--url", default=os.environ.get(
        "BENCH_PG", "postgresql://postgres@127.0.0.1:5432/office_lists_bench"))
    parser.add_argument("--port", type=int, default=0, help="unused: the pages are requested in this process")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database from an earlier run")
    parser.add_argument("--only", default="", help="comma-separated words: time only the cases whose name has one")
    args = parser.parse_args()

    from sqlalchemy import func, select

    from webapp.core.extensions import db
    from webapp.stages.accounts.models import Department, Jurisdiction, User
    from webapp.stages.directory import batch_views
    from webapp.stages.directory.models import ImportBatch
    from webapp.stages.plans.models import Plan
    from webapp.stages.publication import dashboard_counts
    from webapp.stages.review.models import ReviewPart

    app = bench_app(args.url, fresh=not args.reuse)
    with app.app_context():
        place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "130606"))
        office = db.session.scalar(select(User).where(User.username == "bench_office"))
        plan, dept = db.session.scalar(select(Plan)), db.session.scalar(select(Department))
        if not args.reuse:
            t = time.perf_counter()
            run(db, LOAD, n=args.n, jurisdiction=place.id, plan=plan.id, department=dept.id)
            analyze(db, "entities", "inspection_records", "follow_up_tasks")
            print(f"generated {args.n:,} entities, records and follow-up tasks in {time.perf_counter() - t:.1f} s")
        if not db.session.scalar(select(func.count()).select_from(ReviewPart)):
            t = time.perf_counter()
            batch = ImportBatch(kind="entities", filename="名录.xlsx", file_sha256="0" * 64, jurisdiction_id=place.id,
                                created_by_id=office.id, status="preview", summary={})
            db.session.add(batch)
            db.session.commit()
            run(db, LISTS, n=args.n, jurisdiction=place.id, plan=plan.id, department=dept.id, office=office.id,
                batch=batch.id)
            with db.engine.begin() as connection:  # the SQL above went past the sessions that keep the counts
                dashboard_counts.rebuild(connection)
            analyze(db, "inspection_records", "review_parts", "audit_events", "import_rows", "dashboard_counts",
                    "plans")
            print(f"generated the review, publication, audit and import lists in {time.perf_counter() - t:.1f} s")
        batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(1))
        if batch.views is None:  # the preview's summaries, kept as the preview job keeps them when it reads a file
            t = time.perf_counter()
            batch.views = batch_views.summarise(batch)
            db.session.commit()
            print(f"kept the import batch's preview summaries in {time.perf_counter() - t:.1f} s")
        ids = {"plan": plan.id, "batch": batch.id}
        db.session.remove()

    client = app.test_client()
    client.post("/login", data={"username": "bench_office", "password": "bench-password-1"})
    deep = args.n * 95 // 100  # past 95% of the rows
    submitted = quote((datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=deep)).isoformat())
    cases = {
        "follow-ups open, page 1": "/followup/",
        "follow-ups open, deep": "/followup/?after=2026-12-18~0",
        "follow-ups all, deep": "/followup/?status=all&after=2026-12-18~0",
        "review waiting, page 1": "/review/",
        "review waiting, deep": f"/review/?after={submitted}~{deep}",
        "review all, deep": f"/review/?f=all&after={submitted}~{deep}",
        "review problems, page 1": "/review/?f=problems",
        "publication, page 1": "/publication/plans/{plan}",
        "publication, deep": f"/publication/plans/{{plan}}?a={deep}&p={args.n - deep}",
        "import preview, page 1": "/directory/imports/{batch}",
        "imports all, page 1": "/directory/imports/{batch}?action=all",
        "imports all, deep": f"/directory/imports/{{batch}}?action=all&after={deep}",
        "imports rejected, deep": f"/directory/imports/{{batch}}?action=rejected&after={deep}",
        "audit, page 1": "/office/audit/",
        "audit, deep": f"/office/audit/?after={args.n - deep}",
        "audit review, deep": f"/office/audit/?kind=review&after={args.n - deep}",
        "publication index": "/publication/",
        "office home index": "/home",  # its 待公示 lines, from the kept counts
    }
    only = set(args.only.split(",")) if args.only else None
    for label, url in cases.items():
        if only and not any(word in label for word in only):
            continue
        url = url.format(**ids)
        best, median, cpu, response = timed(lambda: client.get(url))
        html = response.get_data(as_text=True)
        target = PAGE_1 if "page 1" in label or "index" in label else DEEP
        ok = "ok" if median <= target else "MISSES"
        print(f"{label:24} min {best:.3f} s  median {median:.3f} s  cpu {cpu:.3f} s  HTTP {response.status_code}, "
              f"{len(html) // 1024} KB  target ≤ {target} s: {ok}")
    # The lists alone, where their page does more: the excluded list (its preview page also runs the summary,
    # benchmarks/eligibility_preview.py) and an import batch's rows (its preview page reads the summaries kept on
    # the batch, batch_views.summarise).
    with app.app_context():
        from webapp.stages.directory import importing
        from webapp.stages.plans import eligibility
        plan, batch = db.session.get(Plan, ids["plan"]), db.session.get(ImportBatch, ids["batch"])
        lists = {"excluded, page 1": lambda: eligibility.excluded_after(plan, None),
                 "excluded, deep": lambda: eligibility.excluded_after(plan, deep),
                 "import rows, page 1": lambda: importing.rows(batch),
                 "import rows, deep": lambda: importing.rows(batch, None, deep),
                 "import rejected, deep": lambda: importing.rows(batch, "rejected", deep)}
        for label, fn in lists.items():
            if only and not any(word in label for word in only):
                continue
            best, median, cpu, found = timed(fn)
            target = PAGE_1 if "page 1" in label else DEEP
            ok = "ok" if median <= target else "MISSES"
            print(f"{label:24} min {best:.3f} s  median {median:.3f} s  cpu {cpu:.3f} s  {len(found.items)} shown, "
                  f"{found.count_label}  target ≤ {target} s: {ok}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB (this process; PostgreSQL's own work is in its backend)  "
          f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def run(db, script: str, **params) -> None:
    from sqlalchemy import text

    for statement in script.split(";")[:-1]:
        db.session.execute(text(statement), params)
    db.session.commit()


def analyze(db, *tables) -> None:
    with db.engine.begin() as connection:
        for table in tables:
            connection.exec_driver_sql(f"ANALYZE {table}")


if __name__ == "__main__":
    main()
