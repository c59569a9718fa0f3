"""Benchmark: the entity draw over 1,000,000 (or 10,000,000) eligible entities in 4 risk levels.

Timed, each in a fresh child process (so that CPU and peak RSS are the step's alone: Python, the app, the draw):
- prepare: the eligibility query, the freeze and the digest of the population (target ≤ 2 s at 1,000,000);
- execute: from the frozen population (a prepared draw in the database) to the stored result: load the draw,
  compute the seed, score and select, write the selection (COPY) and the confirmations, the manifest's SHA-256,
  commit. Targets (issue 13): ≤ 1.2 s, ≤ 300 MB at 1,000,000; ≤ 15 s, ≤ 1 GB at 10,000,000.
Each step runs --runs times (3): every figure, then min and median, with the machine's load average beside it.
On PostgreSQL the directory is generated in SQL (generate_series), without the entities' secondary indexes,
which the draw does not read (10,000,000 rows load in about a minute); SQLite gets executemany.

    python benchmarks/draw_entities.py --url postgresql://postgres@127.0.0.1:5432/draw_bench --n 1000000
    python benchmarks/draw_entities.py --url postgresql://postgres@127.0.0.1:5432/draw_bench10 --n 10000000
    python benchmarks/draw_entities.py --url … --again 1     # time the existing benchmark draw again

Where the execution's time goes (issue 13): the frozen text is read once (on PostgreSQL, on a connection of its
own above 2,000,000 entities), ranked in one compiled pass (bucket-sorted candidates, usccs inside the records),
the selection written by COPY from a thread (4 narrow columns, a BRIN index, no B-tree) while the manifest's
SHA-256 is computed; on PostgreSQL the database's share is about half the wall time.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.measure import peak_rss_mb  # noqa: E402

LEVELS = (("high", 2), ("higher", 8), ("general", 50), ("low", 40))  # percent of the directory
TARGETS = {"prepare": {1_000_000: 2.0}, "execute": {1_000_000: 1.2, 10_000_000: 15.0}}
RSS_TARGETS = {"execute": {1_000_000: 300, 10_000_000: 1024}}


def app_for(url):
    from webapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": tempfile.mkdtemp()})


def setup(url, n):
    """A fresh database with the directory and a plan; (plan id, seconds to load)."""
    from webapp.core import database
    from webapp.core.extensions import db
    from webapp.stages.accounts.models import Department
    from webapp.stages.plans.models import Plan, PlanDepartment

    app = app_for(url)
    with app.app_context():
        database.recreate()
        dept = Department(code="jiaoti", name="莲池区教育和体育局")
        plan = Plan(doc_number="基准[2026]1号", title="百万户抽取基准", issuer="基准", window_start=date(2026, 6, 1),
                    window_end=date(2026, 8, 31), lead_department=dept, statuses=["合格"])
        plan.departments = [PlanDepartment(department=dept, team_size=2)]
        db.session.add(plan)
        db.session.commit()
        t = time.perf_counter()
        if db.engine.dialect.name == "postgresql":
            generate_in_sql(db, n)
        else:
            insert_rows(db, n)
        db.session.commit()
        return plan.id, time.perf_counter() - t


def risk_of(i: int) -> str:
    cut = [level for level, share in LEVELS for _ in range(share)]
    return cut[i % 100]


def generate_in_sql(db, n: int):
    """PostgreSQL: the directory in one INSERT … SELECT over generate_series (valid USCCs: the check character is
    computed in SQL), the entities' secondary indexes dropped first, then ANALYZE."""
    from webapp.domain import uscc

    prefix = "91130606"  # + 9 digits of i + the check character
    fixed = sum(uscc._VALUE[c] * w for c, w in zip(prefix, uscc.WEIGHTS))
    digits = " + ".join(f"{uscc.WEIGHTS[8 + j]} * ((i / {10 ** (8 - j)}) % 10)" for j in range(9))
    cases, low = [], 0
    for level, share in LEVELS:
        low += share
        cases.append(f"WHEN i % 100 < {low} THEN '{level}'")
    for name in db.session.scalars(db.text(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = 'entities'::regclass AND NOT i.indisprimary")):
        db.session.execute(db.text(f'ALTER TABLE entities DROP CONSTRAINT IF EXISTS "{name}"'))
        db.session.execute(db.text(f'DROP INDEX IF EXISTS "{name}"'))
    db.session.execute(db.text(f"""
        INSERT INTO entities (uscc, name, annual_report_years, status, risk_level, category, checksum_override,
                              checkin_token, updated_at)
        SELECT '{prefix}' || lpad(i::text, 9, '0')
                   || substr('{uscc.CHARSET}', (31 - ({fixed} + {digits}) % 31) % 31 + 1, 1),
               '基准机构' || i, '2025', '合格', CASE {" ".join(cases)} END, '校外培训机构', false, 't' || i,
               '2024-01-01 00:00:00+00'
        FROM generate_series(0, {n - 1}) AS i"""))
    db.session.commit()
    db.session.execute(db.text("ANALYZE entities"))


def insert_rows(db, n: int, chunk: int = 50_000):
    from webapp.domain import uscc
    from webapp.stages.directory.models import Entity

    for start in range(0, n, chunk):
        db.session.execute(Entity.__table__.insert(), [
            {"uscc": uscc.complete(f"91130606{i:09d}"), "name": f"基准机构{i}", "status": "合格",
             "risk_level": risk_of(i), "annual_report_years": "2025", "category": "校外培训机构",
             "checkin_token": f"t{i}"} for i in range(start, min(n, start + chunk))])


def reset(url, draw_id):
    """Make an executed benchmark draw prepared again, to time the step once more on the same data."""
    app = app_for(url)
    with app.app_context():
        from webapp.core.extensions import db
        from webapp.stages.draw.models import Draw, DrawConfirmation, DrawSelection

        db.session.execute(DrawConfirmation.__table__.delete().where(DrawConfirmation.draw_id == draw_id))
        db.session.execute(DrawSelection.__table__.delete().where(DrawSelection.draw_id == draw_id))
        db.session.execute(Draw.__table__.update().where(Draw.id == draw_id).values(
            status="prepared", live=1, seed=None, result=None, executed_at=None, executed_on=None,
            manifest_sha256=None))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(db.text("VACUUM draw_selections"))


def abandon(url, draw_id):
    """Abandon a prepared benchmark draw, so that the plan can be prepared again."""
    with app_for(url).app_context():
        from webapp.core.extensions import db
        from webapp.stages.draw import ceremony
        from webapp.stages.draw.models import Draw

        ceremony.abandon(db.session.get(Draw, draw_id), "基准重复测量")
        db.session.commit()


def warm_up():
    """The connection made and the mappers configured before the clock starts, as in a running server."""
    from webapp.core.extensions import db
    from webapp.stages.draw.models import Draw

    db.session.execute(db.select(Draw.id).limit(1))
    db.configure_mappers()


def timed(name, target_id):
    """Prepare (a plan's entity draw) or execute (a prepared draw) inside an app context, and commit, timed:
    (draw, seconds, cpu, baseline and peak RSS in MB)."""
    from webapp.core.extensions import db
    from webapp.stages.draw import ceremony
    from webapp.stages.draw.models import Draw
    from webapp.stages.plans.models import Plan
    from webapp.stages.records import dispatch

    warm_up()
    baseline = peak_rss_mb()
    t, cpu = time.perf_counter(), time.process_time()
    if name == "prepare":
        draw = ceremony.prepare(db.session.get(Plan, target_id), "entities")
    else:
        draw = dispatch.execute(db.session.get(Draw, target_id), "基准见证")
    db.session.commit()
    return draw, time.perf_counter() - t, time.process_time() - cpu, baseline, peak_rss_mb()


def timed_execute(draw_id):
    """The execution of a prepared draw, timed (benchmarks/draw_inspectors_db.py times its draws with it)."""
    return timed("execute", draw_id)


def step(url, name, target_id):
    """One timed step in this (child) process: prints its figures as JSON."""
    with app_for(url).app_context():
        draw, seconds, cpu, baseline, peak = timed(name, target_id)
        print(json.dumps({"seconds": round(seconds, 3), "cpu": round(cpu, 3), "peak_rss_mb": round(peak),
                          "baseline_rss_mb": round(baseline), "draw": draw.id, "population": draw.population_size,
                          "selected": (draw.outcome or {}).get("drawn")}))


def run_step(url, name, target_id) -> dict:
    load = os.getloadavg()[0]
    out = subprocess.run([sys.executable, __file__, "--url", url, "--step", name, "--id", str(target_id)],
                         capture_output=True, text=True)
    if out.returncode:
        sys.exit(out.stderr)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load"] = round(load, 1)
    return result


def report(name, n, runs):
    for r in runs:
        print(f"  {name}: {r['seconds']:.2f} s wall, {r['cpu']:.2f} s CPU, peak RSS {r['peak_rss_mb']} MB "
              f"(after start-up {r['baseline_rss_mb']} MB), load {r['load']}"
              + (f", {r['selected']:,} selected" if r.get("selected") else ""))
    for key, label in (("seconds", "wall s"), ("cpu", "CPU s"), ("peak_rss_mb", "peak RSS MB")):
        values = [r[key] for r in runs]
        print(f"  {name} {label}: min {min(values)}, median {statistics.median(values)}", end="")
        target = (TARGETS if key == "seconds" else RSS_TARGETS if key == "peak_rss_mb" else {}).get(name, {}).get(n)
        print(f" (target ≤ {target})" if target else "")
    print(f"  {name} load averages: {[r['load'] for r in runs]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="times each step is timed")
    parser.add_argument("--step", choices=("prepare", "execute"), help=argparse.SUPPRESS)
    parser.add_argument("--id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--again", type=int, help="time the execution of an existing benchmark draw again")
    args = parser.parse_args()
    if args.step:
        return step(args.url, args.step, args.id)
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    print(f"database: {url.split(':')[0]}  entities: {args.n:,}  load average {os.getloadavg()[0]:.1f}")
    if args.again:
        draw_id = args.again
    else:
        plan_id, loaded = setup(url, args.n)
        print(f"  load directory (not timed by the target): {loaded:.1f} s")
        prepared = []
        for run in range(args.runs):
            prepared.append(run_step(url, "prepare", plan_id))
            if run < args.runs - 1:
                abandon(url, prepared[-1]["draw"])
        report("prepare", args.n, prepared)
        draw_id = prepared[-1]["draw"]
    executed = []
    for _ in range(args.runs):
        reset(url, draw_id)
        executed.append(run_step(url, "execute", draw_id))
    report("execute", args.n, executed)


if __name__ == "__main__":
    main()
