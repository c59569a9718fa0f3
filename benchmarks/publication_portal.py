"""Benchmark: publishing a whole plan, rendering its check-in posters, and answering public searches.

    python benchmarks/publication_portal.py [--records 1000] [--pg postgresql://postgres@127.0.0.1:5432/pub_bench]

Builds the demo, then gives `--records` entities an approved record (a tenth of them 待后续处理 with a failed
item) in the current plan; times `publish` of them all (with follow-up tasks), the bulk poster page, and
200 portal searches plus enterprise pages through the test client.
"""
import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def run(database_url: str, n: int):
    from sqlalchemy import select

    from webapp import create_app
    from webapp.core import database
    from webapp.core.extensions import db
    from webapp.faces import demo as demo_data
    from webapp.stages.accounts.models import User
    from webapp.stages.directory.models import Entity
    from webapp.stages.plans.models import Plan
    from webapp.stages.publication import publishing
    from webapp.stages.records.models import InspectionRecord, RecordMember

    media = tempfile.mkdtemp()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "MEDIA_ROOT": media, "TESTING": True,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        database.recreate()
        demo_data.load()
        today = date.today()
        plan = db.session.scalar(select(Plan).where(Plan.window_start <= today, Plan.window_end >= today))
        jt01 = db.session.scalar(select(User).where(User.username == "jt01")).profile
        existing = {r.entity_id: r for r in db.session.scalars(
            select(InspectionRecord).where(InspectionRecord.plan_id == plan.id))}
        # Add entities until there are enough.
        from webapp.domain import uscc
        have = db.session.scalar(select(db.func.count()).select_from(Entity))
        for i in range(max(0, n - have)):
            db.session.add(Entity(uscc=uscc.complete(f"92130606{i:09d}"), name=f"保定市莲池区基准第{i}号培训学校",
                                  risk_level="general", category="校外培训机构", status="合格"))
        db.session.flush()
        dept = plan.departments[-1].department_id
        for k, entity in enumerate(db.session.scalars(select(Entity).order_by(Entity.id).limit(n))):
            record = existing.get(entity.id) or InspectionRecord(plan=plan, entity=entity)
            follow = k % 10 == 0
            record.status = "approved"
            record.inspected_on = plan.window_start
            record.result_codes = ["follow_up"] if follow else ["no_problem"]
            record.findings = {"departments": [{"department_id": dept, "items": [
                {"plan_item_id": 1, "points": [{"result": "fail" if follow else "pass"}]}]}]}
            if not record.members:
                record.members.append(RecordMember(inspector=jt01, department_id=jt01.department_id))
            db.session.add(record)
        db.session.commit()

        records = publishing.approved_records(plan)
        t = time.perf_counter()
        publishing.publish(records, via="benchmark")
        db.session.commit()
        publish_s = time.perf_counter() - t

        client = app.test_client()
        client.post("/login", data={"username": "office", "password": demo_data.PASSWORD})
        t = time.perf_counter()
        page = client.get(f"/qr/posters/plan/{plan.id}")
        posters_s = time.perf_counter() - t
        assert page.status_code == 200
        public = app.test_client()
        names = [e.name for e in db.session.scalars(select(Entity).order_by(Entity.id).limit(200))]
        t = time.perf_counter()
        for name in names:
            assert public.get("/public/", query_string={"q": name[6:12]}).status_code == 200
        search_ms = (time.perf_counter() - t) / len(names) * 1000
        usccs = [e.uscc for e in db.session.scalars(select(Entity).order_by(Entity.id).limit(200))]
        t = time.perf_counter()
        for code in usccs:
            assert public.get(f"/public/enterprise/{code}").status_code == 200
        enterprise_ms = (time.perf_counter() - t) / len(usccs) * 1000
        print(f"{database_url.split(':')[0]}: published {len(records)} records in {publish_s:.2f} s; "
              f"poster page of {len(records)} QR codes in {posters_s:.2f} s ({len(page.data) / 1e6:.1f} MB); "
              f"search {search_ms:.1f} ms; enterprise page {enterprise_ms:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--pg")
    args = parser.parse_args()
    url = args.pg or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    os.environ.setdefault("SECRET_KEY", "benchmark")
    run(url, args.records)
