"""Benchmark: the entity draw over 1,000,000 eligible entities in 4 risk levels, SQLite and PostgreSQL.

Timed: from the frozen population (a prepared draw in the database) to the stored result: load the draw,
compute the seed, score and select, store the result and the confirmations, commit. It runs in a fresh child
process so that the peak RSS is that of the step alone (Python, the app and the draw). Targets (issue 13): ≤ 1.2 s, ≤ 300 MB at 1,000,000; ≤ 15 s, ≤ 1 GB at
10,000,000; prepare ≤ 2 s at 1,000,000.
Preparing (the eligibility query and the freeze) and loading the directory are reported separately.

    python benchmarks/draw_entities.py                                   # SQLite in a temporary folder
    python benchmarks/draw_entities.py --url postgresql://postgres@127.0.0.1:5432/draw_bench
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

LEVELS = (("high", 2), ("higher", 8), ("general", 50), ("low", 40))  # percent of the directory


def app_for(url):
    from webapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": tempfile.mkdtemp()})


def setup(url, n):
    from webapp.core import database
    from webapp.core.extensions import db
    from webapp.domain import uscc
    from webapp.stages.accounts.models import Department
    from webapp.stages.directory.models import Entity
    from webapp.stages.draw import ceremony as service
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
        cut = []
        for level, share in LEVELS:
            cut.extend([level] * share)
        rows = ((uscc.complete(f"91130606{i:09d}"), f"基准机构{i}", cut[i % 100], f"t{i}") for i in range(n))
        if db.engine.dialect.name == "postgresql":
            copy_rows(db, rows)
        else:
            chunk = []
            for code, name, risk, token in rows:
                chunk.append({"uscc": code, "name": name, "status": "合格", "risk_level": risk,
                              "annual_report_years": "2025", "category": "校外培训机构", "checkin_token": token})
                if len(chunk) == 50_000:
                    db.session.execute(Entity.__table__.insert(), chunk)
                    chunk = []
            if chunk:
                db.session.execute(Entity.__table__.insert(), chunk)
        db.session.commit()
        loaded = time.perf_counter() - t
        t = time.perf_counter()
        draw = service.prepare(db.session.get(Plan, plan.id), "entities")
        db.session.commit()
        prepared = time.perf_counter() - t
        return draw.id, loaded, prepared


def copy_rows(db, rows, chunk: int = 200_000):
    """PostgreSQL: COPY the entities in (ORM executemany takes over a minute for a million), then ANALYZE."""
    raw = db.session.connection().connection.dbapi_connection
    now = "2024-01-01 00:00:00+00"
    with raw.cursor() as cur:
        done = False
        while not done:
            done = True
            with cur.copy("COPY entities (uscc, name, annual_report_years, status, risk_level, category, "
                          "checksum_override, checkin_token, updated_at) FROM STDIN") as copy:
                for count, (code, name, risk, token) in enumerate(rows, 1):
                    copy.write_row((code, name, "2025", "合格", risk, "校外培训机构", False, token, now))
                    if count == chunk:
                        done = False
                        break
    db.session.commit()
    db.session.execute(db.text("ANALYZE entities"))


def peak_rss_mb() -> float:
    """This process's high-water RSS (VmHWM): unlike ru_maxrss it does not carry the parent's peak over exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset(url, draw_id):
    """Make an executed benchmark draw prepared again, to time the step once more on the same data."""
    app = app_for(url)
    with app.app_context():
        from webapp.core.extensions import db
        from webapp.stages.draw.models import Draw, DrawConfirmation

        db.session.execute(DrawConfirmation.__table__.delete().where(DrawConfirmation.draw_id == draw_id))
        db.session.execute(Draw.__table__.update().where(Draw.id == draw_id).values(
            status="prepared", live=1, seed=None, result=None, executed_at=None, executed_on=None))
        db.session.commit()


def timed_execute(draw_id):
    """Execute a prepared draw (inside an app context) and commit, timed: (draw, seconds, cpu, baseline and peak
    RSS in MB). The connection is made, and the mappers configured, before the clock starts."""
    from webapp.core.extensions import db
    from webapp.stages.draw.models import Draw
    from webapp.stages.records import dispatch

    db.session.execute(db.select(Draw.id).limit(1))
    db.configure_mappers()  # a running server has configured its mappers long before a draw
    baseline = peak_rss_mb()
    t, cpu = time.perf_counter(), time.process_time()
    draw = db.session.get(Draw, draw_id)
    dispatch.execute(draw, "基准见证")
    db.session.commit()
    return draw, time.perf_counter() - t, time.process_time() - cpu, baseline, peak_rss_mb()


def execute_step(url, draw_id):
    """The timed step, in its own process."""
    with app_for(url).app_context():
        draw, seconds, cpu, baseline, peak = timed_execute(draw_id)
        print(json.dumps({"seconds": round(seconds, 3), "cpu": round(cpu, 3), "peak_rss_mb": round(peak), "baseline_rss_mb": round(baseline),
                          "selected": len(draw.result["selected"]), "population": draw.population_size}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="times the execute step is timed (reset between)")
    parser.add_argument("--execute", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--again", type=int, help="time an existing benchmark draw again (with --url)")
    args = parser.parse_args()
    if args.execute:
        return execute_step(args.url, args.execute)
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    print(f"database: {url.split(':')[0]}  entities: {args.n:,}  load average {os.getloadavg()[0]:.1f}")
    if args.again:
        draw_id = args.again
    else:
        draw_id, loaded, prepared = setup(url, args.n)
        print(f"  load directory (not timed by the target): {loaded:.1f} s")
        print(f"  prepare: eligibility query + freeze + digest: {prepared:.2f} s (target ≤ 2 s at 1M)")
    for run in range(args.runs):
        reset(url, draw_id)
        out = subprocess.run([sys.executable, __file__, "--url", url, "--execute", str(draw_id)],
                             capture_output=True, text=True, check=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  execute: frozen population -> stored result: {result['seconds']:.2f} s wall, "
              f"{result['cpu']:.2f} s CPU of this process (target ≤ 1.2 s), "
              f"peak RSS {result['peak_rss_mb']} MB (after start-up {result['baseline_rss_mb']} MB; target ≤ 300 MB), "
              f"{result['selected']:,} selected")


if __name__ == "__main__":
    main()
