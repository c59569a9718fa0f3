"""Benchmark (issue 13): import a 100,000-row object directory, written the way Excel and WPS write it
(`xlsx_like_excel`: shared strings, styles, dates as numbers), on PostgreSQL: the dry run (read, plan, store the
preview), then the commit; then the idempotent re-import's dry run. Target: preview + commit ≤ 15 s, ≤ 400 MB.

    python benchmarks/directory_import.py [--n 100000] [--url postgresql://postgres@127.0.0.1:5432/directory_bench]
                                          [--runs 3]

The dry run goes as the web page does it (issue 17): the upload's request only keeps the file and enqueues the
reading (its wall time is printed, target ≤ 200 ms), the job runs in the embedded backend's thread.
Each run is a child process on a fresh database, so wall, CPU and peak RSS are those of the importing process
alone. Prints each run, then min / median of the runs, and the machine's load average before and after.
"""
import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADER = ["统一社会信用代码", "机构名称", "法定代表人", "住所", "成立日期", "年报情况", "2023年度年报", "登记状态",
          "风险等级", "类别", "联系电话"]
RISKS = ["高", "较高风险", "一般", "低风险", "A", "B", "C", "D"]
TARGET_S, TARGET_MB, TARGET_REQUEST_S = 15, 400, 0.2


def directory_rows(n: int):
    from webapp.domain import uscc

    rng = random.Random(7)
    for i in range(n):
        registered = date(2005, 1, 1) + timedelta(days=rng.randrange(0, 18 * 365))
        yield [
            uscc.complete(f"91130606{i:09d}"), f"保定市莲池区第{i}号培训学校", rng.choice(("王伟", "李娜", "张敏", "刘洋")),
            f"河北省保定市莲池区裕华西路{i % 3000}号", registered if i % 3 else registered.strftime("%Y年%-m月%-d日"),
            "2021,2022", "已年报" if i % 10 else "未年报", "存续", RISKS[i % len(RISKS)], "校外培训机构",
            f"0312-{5000000 + i % 1000000}",
        ]


def _watch_backends(engine) -> set[int]:
    """The server process id of every connection the engine opens (all of this child's work on PostgreSQL)."""
    from sqlalchemy import event

    pids: set[int] = set()

    @event.listens_for(engine, "connect")
    def connected(dbapi_connection, record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pids.add(cursor.fetchone()[0])
    return pids


def _cpu_of(pids: set[int]) -> float | None:
    """User + system CPU seconds of those server processes (/proc: a server on this machine), else None."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def child(url: str, path: str):
    from webapp import create_app
    from webapp.core import database, jobs
    from webapp.core.extensions import db
    from webapp.stages.directory import importing, preview_job
    from webapp.stages.directory.models import ImportBatch

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-media-"),
                      "JOBS_BROKER_URL": "", "JOBS_EAGER": False})  # the embedded default: a job in a thread
    data = Path(path).read_bytes()
    out = {}
    with app.app_context():
        database.recreate()
        db.engine.dispose()
        backends = _watch_backends(db.engine)
        wall, cpu = time.perf_counter(), time.process_time()
        # What the upload's request does (issue 17): keep the file, open the batch, enqueue its reading.
        batch, job = preview_job.start("entities", "bench.xlsx", data, None)
        db.session.commit()
        out["request_s"] = time.perf_counter() - wall
        job_id, batch_id = job.id, batch.id
        # The job's thread (jobs._dispatch names it), joined: no polling to count in this process's CPU.
        for thread in [t for t in threading.enumerate() if t.name == f"job-{job_id}"]:
            thread.join()
        db.session.rollback()
        assert db.session.get(jobs.Job, job_id).state == jobs.DONE, db.session.get(jobs.Job, job_id).error
        out["preview_s"] = time.perf_counter() - wall
        batch = db.session.get(ImportBatch, batch_id)
        out["summary"] = batch.summary
        applied = importing.commit(batch)
        out["import_s"] = time.perf_counter() - wall
        out["import_cpu_s"] = time.process_time() - cpu
        out["db_cpu_s"] = _cpu_of(backends)  # the PostgreSQL server's share (its backends' CPU), when local
        out["applied"] = applied
        t = time.perf_counter()
        again = importing.start("entities", "bench.xlsx", data)
        out["reimport_preview_s"] = time.perf_counter() - t
        out["reimport_summary"] = again.summary
        db.session.remove()
        db.engine.dispose()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out, ensure_ascii=False))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", "--rows", type=int, default=100_000)
    parser.add_argument("--url", "--pg", default=os.environ.get(
        "BENCH_PG", "postgresql://postgres@127.0.0.1:5432/directory_bench"))
    parser.add_argument("--port", type=int, default=0, help="unused: the import runs in a child process")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    import xlsx_like_excel

    path = Path(tempfile.mkdtemp(prefix="bench-import-")) / f"directory-{args.n}.xlsx"
    t = time.perf_counter()
    xlsx_like_excel.write(path, HEADER, directory_rows(args.n))
    print(f"generated {args.n} rows as Excel writes them in {time.perf_counter() - t:.1f} s "
          f"({path.stat().st_size / 1e6:.1f} MB)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    runs = []
    for i in range(args.runs):
        result = subprocess.run([sys.executable, __file__, "--child", args.url, str(path)], capture_output=True,
                                text=True)
        if result.returncode:
            print(result.stderr[-3000:], flush=True)
            sys.exit(result.returncode)
        f = json.loads(result.stdout.strip().splitlines()[-1])
        runs.append(f)
        print(f"run {i + 1}: upload request {f['request_s'] * 1000:.0f} ms, preview job done at {f['preview_s']:.1f} s, preview + commit {f['import_s']:.1f} s wall / "
              f"{f['import_cpu_s']:.1f} s CPU (+ database {f['db_cpu_s'] or 0:.1f} s CPU), re-import preview {f['reimport_preview_s']:.1f} s, "
              f"peak RSS {f['peak_rss_mb']:.0f} MB, load {os.getloadavg()[0]:.1f}; {f['summary']} → {f['applied']}; re-import {f['reimport_summary']}",
              flush=True)
    for key, label, unit in (("request_s", "upload request wall", "s"), ("import_s", "preview + commit wall", "s"), ("import_cpu_s", "preview + commit CPU", "s"),
                             ("db_cpu_s", "preview + commit database CPU", "s"),
                             ("preview_s", "preview wall", "s"), ("reimport_preview_s", "re-import preview wall", "s"),
                             ("peak_rss_mb", "peak RSS", "MB")):
        values = [r[key] for r in runs if r[key] is not None]
        if not values:
            continue
        print(f"{label}: min {min(values):.1f} {unit}, median {statistics.median(values):.1f} {unit}")
    wall = statistics.median(r["import_s"] for r in runs)
    rss = max(r["peak_rss_mb"] for r in runs)
    print(f"target ≤ {TARGET_S} s and ≤ {TARGET_MB} MB: {'met' if wall <= TARGET_S and rss <= TARGET_MB else 'MISSED'}")
    request = statistics.median(r["request_s"] for r in runs)
    print(f"target: the upload request ≤ {TARGET_REQUEST_S * 1000:.0f} ms: {'met' if request <= TARGET_REQUEST_S else 'MISSED'}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
