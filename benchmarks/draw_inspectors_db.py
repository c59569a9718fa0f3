"""Benchmark: the whole inspector draw for 50,000 confirmed enterprises and 2,000 inspectors, on the database.

`draw_inspectors.py` times the matching alone (the issue's figure, < 10 s). This one times what the office
admin waits for after pressing 执行: load the prepared draw, match (`dispatch.execute`), dispatch one 一企一表
(InspectionRecord with its team) per enterprise and commit, in a fresh child process so that the peak RSS is
the step's own. The set-up (directory, roster, plan, entity draw at 100 %, confirmations, prepare) is reported
but not part of the figure.

    python benchmarks/draw_inspectors_db.py                          # SQLite in a temporary folder
    python benchmarks/draw_inspectors_db.py --url postgresql://postgres@127.0.0.1:5432/draw_bench
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from draw_entities import app_for, timed_execute  # noqa: E402

DEPARTMENTS = (("jiaoti", "莲池区教育和体育局", 0.4, 2), ("renshe", "莲池区人力资源和社会保障局", 0.3, 1),
               ("weijian", "莲池区卫生健康局", 0.2, 1), ("shichang", "莲池区市场监督管理局", 0.1, 1))


def setup(url, n_entities, n_inspectors):
    from webapp.core import database
    from webapp.core.extensions import db
    from webapp.domain import uscc
    from webapp.stages.accounts.models import Department, User
    from webapp.stages.directory.models import Entity, InspectorProfile
    from webapp.stages.draw import ceremony as service
    from webapp.stages.draw import confirmation
    from webapp.stages.plans.models import Plan, PlanDepartment, PlanItem
    from webapp.stages.records import dispatch

    app = app_for(url)
    with app.app_context():
        database.recreate()
        t = time.perf_counter()
        depts = [Department(code=code, name=name) for code, name, _, _ in DEPARTMENTS]
        db.session.add_all(depts)
        db.session.flush()
        office = User(username="bench", full_name="基准", password_hash="-")
        db.session.add(office)
        rows = [{"uscc": uscc.complete(f"91130606{i:09d}"), "name": f"基准机构{i}", "status": "合格",
                 "risk_level": ("high", "higher", "general", "low")[i % 4], "annual_report_years": "2025",
                 "category": "校外培训机构", "checkin_token": f"t{i}"} for i in range(n_entities)]
        db.session.execute(Entity.__table__.insert(), rows)
        people = []
        for dept, (code, _, share, _) in zip(depts, DEPARTMENTS):
            for i in range(int(n_inspectors * share)):
                people.append({"name": f"检查员{code}{i}", "department_id": dept.id,
                               "certificate_no": f"1306{code[:2].upper()}{i:05d}", "valid_from": date(2021, 1, 1),
                               "valid_to": date(2028, 12, 31), "qualifications": [], "is_expert": False,
                               "status": "active"})
        db.session.execute(InspectorProfile.__table__.insert(), people)
        plan = Plan(doc_number="基准[2026]2号", title="五万户联合抽查基准", issuer="基准",
                    window_start=date(2026, 6, 1), window_end=date(2026, 8, 31), lead_department=depts[0],
                    statuses=["合格"], ratio_high=100, ratio_higher=100, ratio_general=100, ratio_low=100)
        plan.departments = [PlanDepartment(department=d, team_size=t, position=i)
                            for i, (d, (_, _, _, t)) in enumerate(zip(depts, DEPARTMENTS))]
        plan.items = [PlanItem(department=d, position=i, title=f"{d.name}检查事项", methods=["现场检查"],
                               check_points=["要点一", "要点二"]) for i, d in enumerate(depts)]
        db.session.add(plan)
        db.session.commit()
        loaded = time.perf_counter() - t
        t = time.perf_counter()
        dispatch.execute(service.prepare(plan, "entities"), "基准")
        for conf in service.entity_draw(plan.id).confirmations:
            confirmation.confirm(conf, office)
        draw = service.prepare(plan, "inspectors")
        db.session.commit()
        return draw.id, loaded, time.perf_counter() - t


def execute_step(url, draw_id):
    with app_for(url).app_context():
        from webapp.core.extensions import db
        from webapp.stages.records.models import InspectionRecord, RecordMember

        _, seconds, cpu, baseline, peak = timed_execute(draw_id)
        records = db.session.scalar(db.select(db.func.count()).select_from(InspectionRecord))
        members = db.session.scalar(db.select(db.func.count()).select_from(RecordMember))
        print(json.dumps({"seconds": round(seconds, 2), "cpu": round(cpu, 2), "peak": round(peak),
                          "baseline": round(baseline), "records": records, "members": members}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url")
    parser.add_argument("--entities", type=int, default=50_000)
    parser.add_argument("--inspectors", type=int, default=2_000)
    parser.add_argument("--execute", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    if args.execute:
        return execute_step(url, args.execute)
    print(f"database: {url.split(':')[0]}  {args.entities:,} entities × {args.inspectors:,} inspectors  "
          f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}")
    draw_id, loaded, prepared = setup(url, args.entities, args.inspectors)
    print(f"  set-up (not timed by the figure): directory and roster {loaded:.1f} s; "
          f"entity draw, confirmations, prepare {prepared:.1f} s")
    out = subprocess.run([sys.executable, __file__, "--url", url, "--execute", str(draw_id)],
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"  execute → {r['records']:,} 一企一表 with {r['members']:,} team members dispatched and committed: "
          f"{r['seconds']:.2f} s wall, {r['cpu']:.2f} s CPU, peak RSS {r['peak']} MB (after start-up {r['baseline']} MB)")


if __name__ == "__main__":
    main()
