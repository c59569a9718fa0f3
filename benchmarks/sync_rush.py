"""Benchmark: the sync rush before a deadline (issue 17 §4), on loopback, in the production layout.

gunicorn -w 2 (one control socket of its own) + PostgreSQL + Redis + one Celery worker (`spotcheck worker`),
media on the local disk. N phones (threads of this process, each its own signed-in session) sync at once; each
record is one 1600×1200 JPEG (~320 KB of photographic noise, as a phone sends after scaling), a signature PNG
and the record PUT. Measured, three runs (min and median):

- latency of every request (p50, p99) against the target p99 ≤ 200 ms at 16 phones;
- records/s sustained *including* the derivative jobs: from the first request until the queue has drained
  (every medium ready), target ≥ 50/s; the queue's depth over time (Redis list length and jobs not done);
- the record PUT alone (signature already stored), target ≥ 300/s;
- wall, CPU seconds and peak RSS of the web server (master and its workers) and of the worker, from /proc;
  the machine's load average before and after; the phones' own CPU (this process: http.client threads sending
  bodies encoded before the clock starts, so that the client takes little of the same 2 cores) beside it.

    python benchmarks/sync_rush.py [--url postgresql://postgres@127.0.0.1:5432/bench_sync_rush] [--n 16]
        [--records 6] [--puts 10] [--runs 3] [--broker redis://127.0.0.1:6379/3] [--port 5301]

Before the runs, each phone syncs one record unmeasured (the web workers' first upload imports the broker client
and Celery). Printed first: the CPU the worker cannot avoid per record, the derivatives of one photo and one
signature made in this process (`field.imaging.derive` and the thumbnail), beside which the worker's measured CPU
per record shows what the jobs themselves cost.

Printed last, the floor under every request in this layout: the same phones asking, as fast as they can, for
`/healthz` (no session: one `SELECT 1`) and for a photo the server does not have (`GET /api/field/media/…`: the
session checked, the record and team looked up, a 404), with the CPU each costs per process. A record PUT
cannot cost less than the second, nor go faster than it.

`--ceiling` runs the web workers without audit events, dashboard refreshes and webhook lookups
(benchmarks/sync_rush_ceiling.py): the most that moving that work out of the request could give.
"""
import argparse
import http.client
import io
import json
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TICK = os.sysconf("SC_CLK_TCK")
TARGETS = {"p99_ms": 200, "records_per_s": 50, "puts_per_s": 300}


# --- /proc: CPU and peak memory of a process tree ---------------------------------------------------------------

def tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError):
            pass
    return total / TICK


def service_cpu(comm: str) -> float:
    """CPU seconds of every process named `comm` (postgres: the server and its backends; redis-server), with what
    their exited children used (a backend that ended between two readings still counts, in its parent's)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() != comm:
                    continue
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return total / TICK


SERVICES = ("postgres", "redis-server")


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


# --- what the phones send ---------------------------------------------------------------------------------------

def photo_jpeg(seed: int) -> bytes:
    """1600×1200 of photographic noise (~320 KB at quality 85), a stamp making each one unique."""
    from PIL import Image, ImageDraw

    grain = Image.effect_noise((800, 600), 17).convert("RGB").resize((1600, 1200), Image.Resampling.BICUBIC)
    light = Image.radial_gradient("L").resize((1600, 1200)).convert("RGB")
    im = Image.blend(grain, light, 0.5)  # ~320 KB (Pillow 13; the noise at 28 and 0.45 made ~440 KB)
    ImageDraw.Draw(im).rectangle((40 + seed % 500, 40, 240 + seed % 500, 160), fill=(seed % 255, 120, 60))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85)
    return out.getvalue()


def imaging_floor(rounds: int = 30) -> dict:
    """CPU ms (median of `rounds`) of the derivatives of one record's photo and signature, as the job makes them."""
    from tests.field_api.conftest import signature_png
    from webapp.stages.field import imaging
    from webapp.stages.records.media import thumbnail_of

    def cost(fn):
        fn()
        times = []
        for _ in range(rounds):
            start = time.process_time()
            fn()
            times.append(1000 * (time.process_time() - start))
        return statistics.median(times)

    photo, signature = photo_jpeg(1), signature_png(1)
    made = {"photo": imaging.derive(photo), "signature": imaging.derive(signature)}
    out = {}
    for name, data in (("photo", photo), ("signature", signature)):
        out[name] = cost(lambda: imaging.derive(data))
        out[f"{name} thumbnail"] = cost(lambda: thumbnail_of(made[name].picture))
    return out


def build(url: str, media_root: str, total_rush: int, total_puts: int):
    """A fresh schema; records for jt01 (with rs01): `total_rush` to sync whole, `total_puts` whose signature is
    already stored (the PUT-alone phase). Returns (rush record ids, [(put record id, signature sha)])."""
    from tests import factories
    from tests.field_api.conftest import sha, signature_png
    from webapp import create_app
    from webapp.core import database
    from webapp.core.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": media_root, "TESTING": True})
    with app.app_context():
        database.recreate()
        w = factories.world()
        entities = factories.entities(total_rush + total_puts)
        db.session.commit()
        rush = [factories.dispatched(w.current, e, ("jt01", "rs01")).id for e in entities[:total_rush]]
        puts = []
        for i, entity in enumerate(entities[total_rush:]):
            record = factories.dispatched(w.current, entity, ("jt01", "rs01"))
            signature = signature_png(i % 200)
            factories.add_media(record, signature, "signature", "image/png")
            puts.append((record.id, sha(signature)))
        w.current.status = "drawn"  # as in production: records are dispatched by the plan's draw, never to a draft
        db.session.commit()
        db.session.remove()
    return app, rush, puts


class Phone:
    """One phone: its own cookie and CSRF token, http.client on one connection (reopened when gunicorn's sync
    worker closes it), bodies encoded before the clock starts, so the client costs little CPU of its own."""

    def __init__(self, base: str):
        from tests.factories import PASSWORD

        url = urlsplit(base)
        self.http = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
        self.cookies: dict[str, str] = {}
        page = self.request("GET", "/login")[1].decode()
        token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
        form = urlencode({"username": "jt01", "password": PASSWORD, "csrf_token": token}).encode()
        status, text = self.request("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, text[:300]
        self.token = json.loads(self.request("GET", "/api/field/session")[1])["csrf_token"]
        self.latencies: list[tuple[str, float]] = []

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.http.request(method, path, body=body, headers=headers)
            answer = self.http.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # A kept-alive connection the server closed while idle: once more on a new one (every request the
            # phones make may be sent twice: the API is idempotent).
            self.http.close()
            self.http.request(method, path, body=body, headers=headers)
            answer = self.http.getresponse()
        data = answer.read()
        for header in answer.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if answer.will_close:
            self.http.close()
        return answer.status, data

    def timed(self, kind, request, expect):
        """`request` = (method, path, body, headers) made beforehand."""
        method, path, body, headers = request
        start = time.perf_counter()
        status, data = self.request(method, path, body, {**headers, "X-CSRFToken": self.token})
        self.latencies.append((kind, time.perf_counter() - start))
        assert status == expect, (kind, status, data[:300])


def upload_request(record_id, data, kind, filename):
    from tests.field_api.conftest import sha

    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in (("sha256", sha(data)), ("kind", kind))]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return ("POST", f"/api/field/media/{record_id}", body,
            {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def put_request(body):
    return ("PUT", f"/api/field/records/{uuid.uuid4()}", json.dumps(body).encode(),
            {"Content-Type": "application/json"})


def bodies(app, ids_and_signatures):
    from tests.field_api.conftest import full_findings, submission
    from webapp.core.extensions import db
    from webapp.stages.records.models import InspectionRecord

    with app.app_context():
        out = []
        for record_id, signature_sha in ids_and_signatures:
            record = db.session.get(InspectionRecord, record_id)
            out.append(submission(record, findings=full_findings(record), signature=signature_sha))
        db.session.remove()
        return out


def pctl(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def waiting_media(app, ids) -> int:
    from sqlalchemy import func, select

    from webapp.core.extensions import db
    from webapp.stages.records.models import Media

    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(Media)
                              .where(Media.record_id.in_(ids), Media.ready.is_(False)))
        db.session.remove()
        return n


def rush(app, phones, work, broker):
    """Every phone syncs its records (photo, signature, PUT) at once; then wait for the queue to drain."""
    import redis

    from tests.field_api.conftest import full_findings, sha, signature_png, submission
    from webapp.core.extensions import db
    from webapp.stages.records.models import InspectionRecord

    prepared = []  # (phone index, photo upload, signature upload, record PUT): encoded before the clock starts
    with app.app_context():
        for p, ids in enumerate(work):
            for record_id in ids:
                record = db.session.get(InspectionRecord, record_id)
                photo, signature = photo_jpeg(record_id), signature_png(record_id % 200)
                body = submission(record, findings=full_findings(record, photos=[sha(photo)]),
                                  signature=sha(signature))
                prepared.append((p, upload_request(record_id, photo, "photo", "photo.jpg"),
                                 upload_request(record_id, signature, "signature", "signature.png"), put_request(body)))
        db.session.remove()
    queue = redis.Redis.from_url(broker)
    ids = [r for ids in work for r in ids]
    depth, stop = [], threading.Event()

    def sample(start):
        while not stop.is_set():
            depth.append((time.perf_counter() - start, queue.llen("spotcheck"), waiting_media(app, ids)))
            stop.wait(0.5)

    def sync(p):
        for _, photo, signature, put in (x for x in prepared if x[0] == p):
            phones[p].timed("photo", photo, 201)
            phones[p].timed("signature", signature, 201)
            phones[p].timed("put", put, 201)

    start, client0 = time.perf_counter(), client_cpu()
    sampler = threading.Thread(target=sample, args=(start,), daemon=True)
    sampler.start()
    with ThreadPoolExecutor(len(phones)) as pool:
        list(pool.map(sync, range(len(phones))))
    synced, client = time.perf_counter() - start, client_cpu() - client0
    deadline = time.monotonic() + 600
    while waiting_media(app, ids) and time.monotonic() < deadline:
        time.sleep(0.1)
    drained = time.perf_counter() - start
    stop.set()
    sampler.join()
    return len(prepared), synced, drained, depth, client


def puts_alone(phones, work_bodies):
    start = time.perf_counter()
    with ThreadPoolExecutor(len(phones)) as pool:
        list(pool.map(lambda p: [phones[p].timed("put", r, 201) for r in work_bodies[p]], range(len(phones))))
    return time.perf_counter() - start


def request_floor(phones, record_ids, web, worker, per_phone=30) -> None:
    """The cheapest requests through the same stack (see the module's docstring), per second and CPU ms each."""
    missing = "0" * 64
    for label, make in (("GET /healthz", lambda i: ("GET", "/healthz", None, {})),
                        ("GET /api/field/media/<record>/<absent sha> (signed in, 404)",
                         lambda i: ("GET", f"/api/field/media/{record_ids[i % len(record_ids)]}/{missing}", None, {}))):
        expect = 200 if "healthz" in label else 404
        for phone in phones:
            phone.latencies.clear()
        before = (cpu_seconds(web), cpu_seconds(worker), *map(service_cpu, SERVICES), client_cpu())
        start = time.perf_counter()
        with ThreadPoolExecutor(len(phones)) as pool:
            list(pool.map(lambda p: [phones[p].timed("floor", make(p * per_phone + i), expect)
                                     for i in range(per_phone)], range(len(phones))))
        wall, n = time.perf_counter() - start, len(phones) * per_phone
        cpu = [1000 * (b - a) / n for a, b in zip(before, (
            cpu_seconds(web), cpu_seconds(worker), *map(service_cpu, SERVICES), client_cpu()))]
        lat = [t for phone in phones for _, t in phone.latencies]
        print(f"floor, {label}: {n} in {wall:.2f} s → {n / wall:.0f}/s, p99 {pctl(lat, .99) * 1000:.0f} ms; "
              "CPU per request, ms: " + ", ".join(f"{name} {v:.1f}" for name, v in zip(
                  ("web", "worker", "PostgreSQL", "Redis", "phones"), cpu))
              + f"; all {sum(cpu):.1f} → at most {1000 * os.cpu_count() / sum(cpu):.0f}/s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/bench_sync_rush",
                        help="PostgreSQL database (created if missing; its tables are replaced)")
    parser.add_argument("--n", type=int, default=16, help="concurrent phones")
    parser.add_argument("--records", type=int, default=6, help="records each phone syncs per run")
    parser.add_argument("--puts", type=int, default=10, help="PUT-alone records each phone sends per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--worker-concurrency", type=int, default=1)
    parser.add_argument("--port", type=int, default=0, help="the web server's port (default: a free one)")
    parser.add_argument("--gunicorn-args", default="",
                        help="more gunicorn options (GUNICORN_CMD_ARGS), e.g. '--worker-class gthread --threads 4'")
    parser.add_argument("--ceiling", action="store_true",
                        help="web workers without audit events, dashboard refreshes and webhook lookups "
                             "(benchmarks/sync_rush_ceiling.py): an upper bound, never a real server")
    args = parser.parse_args()

    import redis
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.core.stack import Stack, signing_key_pem
    from webapp.core.config import normalise_database_url

    url = make_url(normalise_database_url(args.url))
    with create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT").connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}):
            conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    redis.Redis.from_url(args.broker).flushdb()
    media_root = tempfile.mkdtemp(prefix="sync-rush-media-")
    per_run_rush, per_run_puts = args.n * args.records, args.n * args.puts
    t0 = time.perf_counter()
    app, rush_ids, put_items = build(args.url, media_root, per_run_rush * args.runs + args.n,
                                     per_run_puts * args.runs)
    warm_ids, rush_ids = rush_ids[:args.n], rush_ids[args.n:]
    put_bodies = [put_request(b) for b in bodies(app, put_items)]
    print(f"setup: {len(rush_ids)} + {len(put_items)} records in {time.perf_counter() - t0:.0f} s; "
          f"load {os.getloadavg()[0]:.2f}")

    env = {"DATABASE_URL": args.url, "SECRET_KEY": uuid.uuid4().hex, "LOG_SIGNING_KEY": signing_key_pem(),
           "JOBS_BROKER_URL": args.broker, "MEDIA_ROOT": media_root, "LOGIN_MAX_FAILURES": "1000"}
    gunicorn_args = (args.gunicorn_args + " -c python:benchmarks.sync_rush_ceiling").strip() if args.ceiling \
        else args.gunicorn_args
    if gunicorn_args:
        env["GUNICORN_CMD_ARGS"] = gunicorn_args
    floor = imaging_floor()
    print("imaging per record, CPU ms (this process, median of 30): " + ", ".join(
        f"{name} {ms:.1f}" for name, ms in floor.items()) + f"; all {sum(floor.values()):.1f}"
        + (" | CEILING: no audit, dashboard or webhook work in the web workers" if args.ceiling else ""))
    # the worker runs the periodic work too (--beat), as one worker does in production: the dashboard's settle
    stack = Stack(env, Path(tempfile.mkdtemp(prefix="sync-rush-run-")), web=1, workers=2,
                  concurrency=args.worker_concurrency, beat=True)
    if args.port:
        stack.ports = [args.port]
    stack.start()
    try:
        base = stack.urls[0]
        phones = [Phone(base) for _ in range(args.n)]
        web, worker = stack.web[0].pid, stack.worker.pid
        # Not measured: one record per phone first, so that both web workers have imported what the first upload
        # and the first job need (the broker's client, Celery: about a second each) before the clock starts.
        rush(app, phones, [[record_id] for record_id in warm_ids], args.broker)
        results = []
        for run in range(args.runs):
            for phone in phones:
                phone.latencies.clear()
            load_before = os.getloadavg()
            cpu0 = (cpu_seconds(web), cpu_seconds(worker), *map(service_cpu, SERVICES))
            ids = rush_ids[run * per_run_rush:(run + 1) * per_run_rush]
            work = [ids[p::args.n] for p in range(args.n)]
            n, synced, drained, depth, client = rush(app, phones, work, args.broker)
            cpu1 = (cpu_seconds(web), cpu_seconds(worker), *map(service_cpu, SERVICES))
            lat = [t for phone in phones for _, t in phone.latencies]
            by_kind = {k: [t for phone in phones for kk, t in phone.latencies if kk == k]
                       for k in ("photo", "signature", "put")}
            bodies_run = put_bodies[run * per_run_puts:(run + 1) * per_run_puts]
            for phone in phones:
                phone.latencies.clear()
            put0 = (cpu_seconds(web), cpu_seconds(worker), *map(service_cpu, SERVICES), client_cpu())
            put_wall = puts_alone(phones, [bodies_run[p::args.n] for p in range(args.n)])
            put_cpu = [1000 * (b - a) / len(bodies_run) for a, b in zip(put0, (
                cpu_seconds(web), cpu_seconds(worker), *map(service_cpu, SERVICES), client_cpu()))]
            put_lat = [t for phone in phones for _, t in phone.latencies]
            results.append({"records_per_s": n / drained, "synced_per_s": n / synced, "p99_ms": pctl(lat, .99) * 1000,
                            "p50_ms": pctl(lat, .5) * 1000, "puts_per_s": len(bodies_run) / put_wall,
                            "put_p99_ms": pctl(put_lat, .99) * 1000, "drained": drained})
            print(f"run {run + 1}: {n} records synced in {synced:.1f} s, queue drained at {drained:.1f} s "
                  f"→ {n / drained:.1f} records/s with derivatives ({n / synced:.1f}/s synced); "
                  f"latency p50 {pctl(lat, .5) * 1000:.0f} ms p99 {pctl(lat, .99) * 1000:.0f} ms "
                  + " ".join(f"[{k} p99 {pctl(v, .99) * 1000:.0f}]" for k, v in by_kind.items()))
            print(f"       web CPU {cpu1[0] - cpu0[0]:.1f} s, worker CPU {cpu1[1] - cpu0[1]:.1f} s, phones' CPU "
                  f"{client:.1f} s (while sending) over "
                  f"{drained:.1f} s wall; load {load_before[0]:.2f} → {os.getloadavg()[0]:.2f}")
            used = [b - a for a, b in zip(cpu0, cpu1)] + [client]
            per_record = [1000 * u / n for u in used]
            print("       CPU per record, ms: " + ", ".join(f"{name} {v:.1f}" for name, v in zip(
                  ("web", "worker", "PostgreSQL", "Redis", "phones"), per_record))
                  + f"; all {sum(per_record):.1f} → at most {1000 * os.cpu_count() / sum(per_record):.0f} records/s "
                  f"on {os.cpu_count()} cores")
            print("       queue depth (s: redis list, media waiting): "
                  + ", ".join(f"{t:.1f}:{q}/{w}" for t, q, w in depth[::max(1, len(depth) // 12)]))
            print(f"       PUT alone: {len(bodies_run)} in {put_wall:.2f} s → {len(bodies_run) / put_wall:.0f}/s, "
                  f"p99 {pctl(put_lat, .99) * 1000:.0f} ms; CPU per PUT, ms: " + ", ".join(
                      f"{name} {v:.1f}" for name, v in zip(("web", "worker", "PostgreSQL", "Redis", "phones"), put_cpu))
                  + f"; all {sum(put_cpu):.1f} → at most {1000 * os.cpu_count() / sum(put_cpu):.0f}/s")
        request_floor(phones, rush_ids, web, worker)
        print(f"peak RSS: web {peak_rss_mb(web):.0f} MB (master + 2 workers), worker {peak_rss_mb(worker):.0f} MB; "
              f"this process (the phones) {peak_rss_mb(os.getpid()):.0f} MB")
        print(f"summary over {args.runs} runs (min / median):")
        for key, label, better in (("p99_ms", "p99 of every request, ms", "low"),
                                   ("records_per_s", "records/s incl. derivative jobs", "high"),
                                   ("puts_per_s", "record PUT alone, /s", "high")):
            values = [r[key] for r in results]
            best = min(values) if better == "low" else max(values)
            median = statistics.median(values)
            ok = median <= TARGETS[key] if better == "low" else median >= TARGETS[key]
            print(f"  {label:34} min {min(values):7.1f}  median {median:7.1f}  best {best:7.1f}  "
                  f"target {'≤' if better == 'low' else '≥'} {TARGETS[key]}: {'met' if ok else 'MISSED'}")
    finally:
        stack.stop()
        redis.Redis.from_url(args.broker).flushdb()


if __name__ == "__main__":
    main()
