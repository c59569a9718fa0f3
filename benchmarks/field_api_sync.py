"""Benchmark: the server side of the field sync.

1. Image processing (verify, re-open, EXIF orientation, re-encode without EXIF, thumbnail) for the sizes a phone
   sends: a 1600×1200 JPEG (what the app sends after scaling), a 4000×3000 camera JPEG (a phone that did not
   scale), a 600×240 signature PNG; time per image and peak memory of the process.
2. The task download: JSON bytes (raw and gzip) per task and the time to build 200 tasks for one inspector.
3. Record PUT: time (wall and CPU) and SQL statements to validate and store one full 一企一表 (14 items,
   3 departments), to answer a replay, and to upload its photo and signature (in-process, the test client, each
   request in a session of its own as under gunicorn).

    python benchmarks/field_api_sync.py [--db sqlite:///... | postgresql://...] [--broker redis://127.0.0.1:6379/8]
"""
import argparse
import gzip
import io
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def camera_jpeg(width, height) -> bytes:
    from PIL import ExifTags, Image, ImageDraw

    im = Image.effect_noise((width, height), 40).convert("RGB")
    draw = ImageDraw.Draw(im)
    for i in range(0, width, 97):
        draw.line([(i, 0), (width - i, height)], fill=(i % 255, 90, 160), width=5)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Xiaomi"
    exif[ExifTags.Base.Orientation] = 6
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def images():
    from tests.field_api.conftest import signature_png
    from webapp.stages.field import imaging
    from webapp.stages.records.media import make_thumbnail

    rows = []
    for label, data in (("1600x1200 JPEG", camera_jpeg(1600, 1200)), ("4000x3000 JPEG", camera_jpeg(4000, 3000)),
                        ("600x240 signature PNG", signature_png())):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            result = imaging.process(data)
            make_thumbnail(result.data)
            times.append(time.perf_counter() - start)
        rows.append((label, len(data), len(result.data), statistics.median(times)))
    for label, before, after, t in rows:
        print(f"  {label:24} in {before / 1024:8.0f} KB  stored {after / 1024:8.0f} KB  {t * 1000:7.1f} ms median")
    print(f"  peak RSS after images: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def api(database_url, broker=None, count=40, profile=None, show_sql=False):
    import cProfile
    import pstats

    from sqlalchemy import event, select

    from tests.conftest import Auth
    from tests.field_api.conftest import Phone, full_findings, sha, signature_png, submission
    from webapp import create_app
    from webapp.core import database
    from webapp.core.extensions import db
    from webapp.stages.accounts.models import User
    from webapp.stages.directory.models import Entity
    from webapp.stages.records.models import InspectionRecord, RecordMember

    media = tempfile.mkdtemp()
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "MEDIA_ROOT": media}
    if broker:
        config["JOBS_BROKER_URL"] = broker  # the derivative jobs go to the queue (nobody runs them here)
    app = create_app(config)
    with app.app_context():
        database.recreate()
        from webapp.faces import demo

        plans = demo.load()["plans"]
        plan = plans[1]
        user = db.session.scalar(select(User).where(User.username == "jt01"))
        taken = select(InspectionRecord.entity_id).where(InspectionRecord.plan_id == plan.id)
        entities = db.session.scalars(select(Entity).where(Entity.id.not_in(taken)).limit(200)).all()
        records = []
        for entity in entities:
            record = InspectionRecord(plan=plan, entity=entity)
            record.members.append(RecordMember(inspector=user.profile, department_id=user.profile.department_id,
                                               is_leader=True))
            for name in ("jt02", "rs01", "wj01"):
                other = db.session.scalar(select(User).where(User.username == name)).profile
                record.members.append(RecordMember(inspector=other, department_id=other.department_id))
            records.append(record)
        db.session.add_all(records)
        db.session.commit()

        ids = [r.id for r in records[:count]]
        signatures = {i: signature_png(i % 50) for i in ids}
        photos = {i: camera_jpeg(1600, 1200) for i in ids}  # noise: each one different
        payloads = {r.id: submission(r, findings=full_findings(r, photos=[sha(photos[r.id])]),
                                     signature=sha(signatures[r.id])) for r in records[:count]}
        engine = db.engine
        db.session.remove()

    # The requests outside the set-up's app context: a session of their own each, as under gunicorn (an identity
    # map kept from one request to the next would hide the statements of the next).
    client = app.test_client()
    phone = Phone(client, Auth(client)).login("jt01")
    start = time.perf_counter()
    response = phone.tasks()
    elapsed = time.perf_counter() - start
    body = response.get_data()
    n = len(response.get_json()["tasks"])
    print(f"  GET /api/field/tasks: {n} tasks, {len(body) / 1024:.0f} KB JSON, "
          f"{len(gzip.compress(body)) / 1024:.0f} KB gzip ({len(gzip.compress(body)) / n / 1024:.1f} KB per task), "
          f"{elapsed * 1000:.0f} ms")

    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    profiler = cProfile.Profile(time.process_time)  # CPU, not the waits on the database
    kinds = {}

    def measured(call, out):
        """`call()` timed (wall, CPU of this process) and its SQL statements counted (`--profile`: profiled)."""
        before, start, cpu = len(statements), time.perf_counter(), time.process_time()
        if kinds.get(id(out)) == profile:
            answer = profiler.runcall(call)
        else:
            answer = call()
        out.append((time.perf_counter() - start, time.process_time() - cpu, len(statements) - before))
        if show_sql:
            kinds.setdefault(("sql", id(out)), statements[before:])
        return answer

    photo_uploads, uploads, stores, replays = [], [], [], []
    kinds.update({id(photo_uploads): "photo", id(uploads): "signature", id(stores): "put", id(replays): "replay"})
    for record_id in ids:
        assert measured(lambda: phone.upload(record_id, photos[record_id]), photo_uploads).status_code == 201
        assert measured(lambda: phone.upload(record_id, signatures[record_id], kind="signature"),
                        uploads).status_code == 201
        key = str(uuid.uuid4())
        assert measured(lambda: phone.put(payloads[record_id], key), stores).status_code == 201
        assert measured(lambda: phone.put(payloads[record_id], key), replays).status_code == 200
    for label, rows in (("photo upload (1600x1200 JPEG)", photo_uploads), ("signature upload", uploads),
                        ("PUT record (14 items, 3 departments)", stores), ("PUT replay", replays)):
        wall, cpu, n = (statistics.median(column) for column in zip(*rows))
        print(f"  {label}: {wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU, {n:.0f} SQL statements "
              f"(median of {len(rows)}; derivative jobs {'queued' if broker else 'run in-process, counted'}; "
              f"load {os.getloadavg()[0]:.2f})")
        for sql in kinds.get(("sql", id(rows)), []):
            print("      ", " ".join(sql.split())[:160])
    if profile:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
    with app.app_context():
        db.session.remove()
        database.drop_everything()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None, help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--broker", default=None,
                        help="e.g. redis://127.0.0.1:6379/8: uploads enqueue their jobs instead of running them")
    parser.add_argument("--count", type=int, default=40, help="records (requests of each kind)")
    parser.add_argument("--profile", choices=("photo", "signature", "put", "replay"), help="cProfile that kind")
    parser.add_argument("--sql", action="store_true", help="print the statements of the first request of each kind")
    parser.add_argument("--no-images", action="store_true", help="skip part 1")
    args = parser.parse_args()
    if not args.no_images:
        print("images:")
        images()
    url = args.db or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    print(f"api on {url.split(':')[0]}:")
    api(url, args.broker, args.count, args.profile, args.sql)


if __name__ == "__main__":
    main()
