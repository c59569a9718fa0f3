"""Benchmark: the transparency log (docs/transparency-log.md) at the sizes of issue 11.

    python benchmarks/transparency_log.py --url postgresql://postgres@127.0.0.1:5432/tlog_bench [--leaves 1000000]

Targets (built in, each phase in its own process so that its peak RSS is its own):
  append   100,000 leaves (one batch, as `append_many`) and a signed tree head      < 10 s on PostgreSQL
  proof    an inclusion proof served (GET /transparency/proof/inclusion) at 1,000,000 leaves   < 50 ms
  verify   `spotcheck verify-log URL` over 1,000,000 leaves, against the app under gunicorn      < 60 s
Also reported, without a target: filling up to --leaves, consistency proofs, log-export and verify-log FILE.
The database is recreated (it must be a throwaway one).
"""
import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.measure import peak_rss_mb  # noqa: E402

TARGETS = {"append": 10.0, "proof_ms": 50.0, "verify": 60.0}


def app_for(url, instance):
    from webapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                       "LOG_SIGNING_KEY": str(Path(instance) / "log_signing_key.pem")})


def ensure_key(instance):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(instance) / "log_signing_key.pem"
    if not path.exists():
        path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def acts(start, n):
    """Leaves shaped like the real ones (a result part published: ~330 bytes of canonical JSON)."""
    for i in range(start, start + n):
        token = f"{i:022d}"
        yield ("result.published", {
            "ref": f"record:{token}:jiaoti", "document_sha256": f"{i:064x}", "record": token,
            "plan": "保莲双随机办[2026]7号", "uscc": "91130606MA0000000X", "enterprise": f"保定市莲池区基准第{i}号培训学校",
            "department": "jiaoti", "authority": "保定市莲池区教育和体育局", "result_codes": ["no_problem"],
            "results": ["未发现问题"], "published_on": "2026-12-01"}, f"record:{token}:jiaoti")


def measured(fn):
    t, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - cpu


def phase_append(url, instance, n):
    from webapp.core import database, ledger
    from webapp.core.extensions import db

    with app_for(url, instance).app_context():
        database.recreate()

        def work():
            ledger.append_many(list(acts(0, n)))
            head = ledger.sign_head()
            db.session.commit()
            return head.size

        size, wall, cpu = measured(work)
    return {"size": size, "wall": wall, "cpu": cpu}


def phase_fill(url, instance, total, batch):
    from webapp.core import ledger
    from webapp.core.extensions import db

    with app_for(url, instance).app_context():
        def work():
            start = ledger.size()
            while start < total:
                k = min(batch, total - start)
                ledger.append_many(list(acts(start, k)))
                ledger.sign_head()
                db.session.commit()
                start += k
            return start

        size, wall, cpu = measured(work)
    return {"size": size, "wall": wall, "cpu": cpu}


def phase_proof(url, instance, requests):
    with app_for(url, instance).app_context():
        from webapp.core import ledger

        client = app_for(url, instance).test_client()
        size = ledger.latest_head().size
        rng = random.Random(11)
        client.get(f"/transparency/proof/inclusion?index=0&size={size}")  # warm the connection pool
        out = {}
        for name, path in (("inclusion", lambda: f"/transparency/proof/inclusion?index={rng.randrange(size)}&size={size}"),
                           ("consistency", lambda: f"/transparency/proof/consistency?old={rng.randrange(1, size)}&new={size}")):
            times = []
            cpu = time.process_time()
            for _ in range(requests):
                t = time.perf_counter()
                response = client.get(path())
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, response.get_data(as_text=True)
            times.sort()
            out[name] = {"median_ms": times[len(times) // 2], "p95_ms": times[int(len(times) * .95)],
                         "max_ms": times[-1], "cpu_per_request_ms": (time.process_time() - cpu) * 1000 / requests}
        out["size"] = size
    return out


def phase_verify(target):
    from webapp.domain import logverify

    result, wall, cpu = measured(lambda: logverify.verify(logverify.source(target), report=lambda line: None))
    return {"size": result["size"], "heads": len(result["heads"]), "wall": wall, "cpu": cpu}


def phase_export(url, instance, path):
    from webapp.core import ledger

    with app_for(url, instance).app_context():
        def work():
            with open(path, "w", encoding="utf-8") as f:
                for line in ledger.export_lines():
                    f.write(line)
            return os.path.getsize(path)

        size, wall, cpu = measured(work)
    return {"bytes": size, "wall": wall, "cpu": cpu}


def in_process(args: list[str]) -> dict:
    load = os.getloadavg()[0]
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"phase {args} failed:\n{out.stdout}\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["load_before"] = load
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url, instance):
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, LOG_SIGNING_KEY=str(Path(instance) / "log_signing_key.pem"),
               SECRET_KEY="benchmark", PYTHONPATH=str(ROOT))
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
                               "webapp:create_app()"], env=env, cwd=str(ROOT),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/transparency/heads.json", timeout=2).read()
            return server, base
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("gunicorn did not start")


def line(name, r, target=None, unit="s"):
    verdict = ""
    if target is not None:
        verdict = f" (target < {target:g} {unit}: {'met' if r['wall'] < target else 'MISSED'})"
    return (f"  {name}: {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, peak RSS {r['peak_rss_mb']:.0f} MB, "
            f"load {r['load_before']:.2f}{verdict}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/tlog_bench")
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep the log already in --url (skip append and fill)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    parser.add_argument("--target", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        fn = {"append": lambda: phase_append(args.url, args.instance, args.batch),
              "fill": lambda: phase_fill(args.url, args.instance, args.leaves, args.batch),
              "proof": lambda: phase_proof(args.url, args.instance, args.requests),
              "verify": lambda: phase_verify(args.target),
              "export": lambda: phase_export(args.url, args.instance, args.target)}[args.phase]
        result = fn()
        result["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return
    if args.url.startswith("postgresql"):
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(args.url)
        with psycopg.connect(u.set(drivername="postgresql", database="postgres").render_as_string(False),
                             autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{u.database}"')
    instance = args.instance or tempfile.mkdtemp()  # with --reuse: the instance folder (key) of the first run
    ensure_key(instance)
    print(f"signing key and export in {instance}")
    common = ["--url", args.url, "--instance", instance, "--batch", str(args.batch), "--leaves", str(args.leaves)]
    print(f"database: {args.url.split(':')[0]}  leaves: {args.leaves:,}  cores: {os.cpu_count()}  "
          f"load average {os.getloadavg()[0]:.2f}")
    if not args.reuse:
        r = in_process(["--phase", "append", *common])
        print(line(f"append {r['size']:,} leaves + signed head", r, TARGETS["append"]))
        r = in_process(["--phase", "fill", *common])
        print(line(f"fill to {r['size']:,} leaves (batches of {args.batch:,}, a head after each; no target)", r))
    r = in_process(["--phase", "proof", *common, "--requests", str(args.requests)])
    inc, con = r["inclusion"], r["consistency"]
    print(f"  inclusion proof at {r['size']:,} leaves ({args.requests} requests, test client): median "
          f"{inc['median_ms']:.1f} ms, p95 {inc['p95_ms']:.1f} ms, max {inc['max_ms']:.1f} ms, CPU "
          f"{inc['cpu_per_request_ms']:.1f} ms/request, peak RSS {r['peak_rss_mb']:.0f} MB, load {r['load_before']:.2f} "
          f"(target < {TARGETS['proof_ms']:g} ms: {'met' if inc['p95_ms'] < TARGETS['proof_ms'] else 'MISSED'})")
    print(f"  consistency proof: median {con['median_ms']:.1f} ms, p95 {con['p95_ms']:.1f} ms, max {con['max_ms']:.1f} ms")
    server, base = serve(args.url, instance)
    try:
        r = in_process(["--phase", "verify", "--target", base])
        print(line(f"verify-log {base} ({r['size']:,} leaves, {r['heads']} heads; verifier process, server under "
                   "gunicorn -w 2)", r, TARGETS["verify"]))
    finally:
        server.terminate()
        server.wait()
    export = str(Path(instance) / "log.jsonl")
    r = in_process(["--phase", "export", *common, "--target", export])
    print(line(f"log-export ({r['bytes'] / 1e6:.0f} MB; no target)", r))
    r = in_process(["--phase", "verify", "--target", export])
    print(line("verify-log FILE (no target)", r))


if __name__ == "__main__":
    main()
