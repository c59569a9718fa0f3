"""The production layout on loopback, as processes of their own: gunicorn web servers (each with its own control
socket) and a Celery worker, over one PostgreSQL, Redis and object store given by the caller's environment.
Used by tests/core/test_two_servers.py and benchmarks/sync_rush.py. Each process is started in a session of its
own and stopped by its own pid (SIGTERM, then SIGKILL), never by name."""
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.browser.helpers import wait_until

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signing_key_pem() -> str:
    """One transparency-log key for every process (else each would make its own in the instance folder)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


class Stack:
    """`web` gunicorn servers with `workers` processes each, and one Celery worker of `concurrency`."""

    def __init__(self, env: dict, run_dir: Path, web: int = 2, workers: int = 1, concurrency: int = 1,
                 worker: bool = True, beat: bool = False):
        self.env = dict(os.environ, **env)
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.ports = [free_port() for _ in range(web)]
        self.workers, self.concurrency, self.with_worker, self.beat = workers, concurrency, worker, beat
        self.web: list[subprocess.Popen] = []
        self.worker: subprocess.Popen | None = None

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def control_socket(self, i: int) -> Path:
        return self.run_dir / f"gunicorn-{i}.ctl"

    def _spawn(self, args, name):
        with open(self.run_dir / f"{name}.log", "wb") as log:  # the child keeps its own descriptor
            return subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)

    def start_web(self, i: int) -> subprocess.Popen:
        args = [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.ports[i]}",
                "--control-socket", str(self.control_socket(i)), "--access-logfile", "-", "--timeout", "60",
                "webapp:create_app()"]
        return self._spawn(args, f"web-{i}")

    def start_worker(self) -> subprocess.Popen:
        args = [sys.executable, "-c", "from webapp.faces.cli import main; main()", "worker",
                "-c", str(self.concurrency), "--loglevel", "warning"] + (["--beat"] if self.beat else [])
        return self._spawn(args, "worker")

    def _up(self, url):
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                return answer.status == 200
        except OSError:
            return False

    def start(self, timeout: float = 120) -> "Stack":
        self.web = [self.start_web(i) for i in range(len(self.ports))]
        if self.with_worker:
            self.worker = self.start_worker()
        for i, url in enumerate(self.urls):
            wait_until(lambda: self._alive() and self._up(url), timeout, f"gunicorn on {url} ({self.log(f'web-{i}')})")
        return self

    def _alive(self) -> bool:
        dead = [p for p in self.processes() if p.poll() is not None]
        if dead:
            raise AssertionError(f"a process of the stack exited: {[p.args for p in dead]}\n{self.log('web-0')}")
        return True

    def processes(self) -> list[subprocess.Popen]:
        return self.web + ([self.worker] if self.worker else [])

    def log(self, name: str, tail: int = 3000) -> str:
        path = self.run_dir / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def stop(self) -> None:
        for process in self.processes():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
