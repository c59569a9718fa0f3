"""Benchmark: import a 100,000-row XLSX object directory (dry run, then commit, then an idempotent re-import)
on SQLite and on PostgreSQL. Targets: under 60 s and under 1 GB of memory.

    python benchmarks/directory_import.py [--rows 100000] [--pg postgresql://postgres@127.0.0.1:5432/directory_bench]

Each database runs in a child process so that its peak RSS is its own.
"""
import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HEADER = ["统一社会信用代码", "机构名称", "法定代表人", "住所", "成立日期", "年报情况", "登记状态", "风险等级", "类别", "联系电话"]
RISKS = ["高", "较高风险", "一般", "低风险", "A", "B", "C", "D"]


def make_xlsx(path: Path, rows: int):
    import openpyxl

    from webapp.domain import uscc

    rng = random.Random(7)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("名录")
    sheet.append(HEADER)
    for i in range(rows):
        registered = date(2005, 1, 1) + timedelta(days=rng.randrange(0, 18 * 365))
        sheet.append([
            uscc.complete(f"91130606{i:09d}"), f"保定市莲池区第{i}号培训学校", "王伟",
            f"河北省保定市莲池区裕华西路{i % 3000}号", registered if i % 3 else registered.strftime("%Y年%-m月%-d日"),
            "2021,2022,2023", "合格", RISKS[i % len(RISKS)], "校外培训机构", f"0312-{5000000 + i % 1000000}",
        ])
    book.save(path)


def child(url: str, path: str):
    from webapp import create_app
    from webapp.core import database
    from webapp.core.extensions import db
    from webapp.stages.directory import importing

    media = tempfile.mkdtemp(prefix="bench-media-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MEDIA_ROOT": media})
    data = Path(path).read_bytes()
    out = {}
    with app.app_context():
        database.recreate()
        t = time.perf_counter()
        batch = importing.start("entities", "bench.xlsx", data)
        out["preview_s"] = round(time.perf_counter() - t, 1)
        out["summary"] = batch.summary
        t = time.perf_counter()
        applied = importing.commit(batch)
        out["commit_s"] = round(time.perf_counter() - t, 1)
        out["applied"] = applied
        t = time.perf_counter()
        again = importing.start("entities", "bench.xlsx", data)
        out["reimport_preview_s"] = round(time.perf_counter() - t, 1)
        out["reimport_summary"] = again.summary
        db.session.remove()
        db.engine.dispose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["peak_rss_mb"] = round(usage.ru_maxrss / 1024)
    out["cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)  # this process only: the machine may be shared
    print(json.dumps(out, ensure_ascii=False))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/directory_bench"))
    parser.add_argument("--only", choices=["SQLite", "PostgreSQL"], help="run one database only")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    path = work / f"directory-{args.rows}.xlsx"
    t = time.perf_counter()
    make_xlsx(path, args.rows)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"generated {args.rows} rows in {time.perf_counter() - t:.1f} s ({path.stat().st_size / 1e6:.1f} MB)")
    for name, url in (("SQLite", f"sqlite:///{work / 'bench.db'}"), ("PostgreSQL", args.pg)):
        if args.only and name != args.only:
            continue
        t = time.perf_counter()
        result = subprocess.run([sys.executable, __file__, "--child", url, str(path)], capture_output=True, text=True)
        if result.returncode:
            print(result.stderr[-3000:], flush=True)
            sys.exit(result.returncode)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        total = figures["preview_s"] + figures["commit_s"]
        print(f"{name}: preview {figures['preview_s']} s + commit {figures['commit_s']} s = {total:.1f} s "
              f"(target < 60 s); re-import preview {figures['reimport_preview_s']} s; "
              f"peak RSS {figures['peak_rss_mb']} MB (target < 1024 MB); CPU of the importing process "
              f"{figures['cpu_s']} s for all three steps")
        print(f"  preview {figures['summary']}; applied {figures['applied']}; re-import {figures['reimport_summary']}")


if __name__ == "__main__":
    main()
