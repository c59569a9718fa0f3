"""An S3-protocol server for the storage tests: moto's standalone server (`python -m moto.server`), a process of
its own on a free loopback port, spoken to over HTTP by boto3 exactly as MinIO or OSS would be. One per test
session (per xdist worker); each test gets a bucket of its own."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest

from webapp.core.storage import S3Storage


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MotoServer:
    """`python -m moto.server` on 127.0.0.1:<port>, started and stopped by the test that owns it."""

    def __init__(self):
        self.process = None
        self.port = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120) -> "MotoServer":  # generous: a busy machine starts it slowly
        for _ in range(3):  # the free port may be taken between the probe and the bind: try another
            self.port = free_port()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    with urllib.request.urlopen(self.url + "/moto-api/", timeout=1):
                        return self
                except OSError:
                    time.sleep(0.1)
            self.stop()
        raise RuntimeError("moto server did not start (pip install 'moto[server]')")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def s3_credentials():
    """Test credentials in boto3's usual environment variables (what production sets too)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        mp.delenv("AWS_PROFILE", raising=False)
        mp.setenv("AWS_CONFIG_FILE", os.devnull)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        yield


@pytest.fixture(scope="session")
def moto_server(s3_credentials):
    server = MotoServer().start()
    yield server
    server.stop()


@pytest.fixture
def s3_settings(moto_server):
    """The settings of an S3 backend on a fresh bucket of the session's server (path-style, as for MinIO)."""
    settings = {
        "S3_ENDPOINT_URL": moto_server.url, "S3_BUCKET": f"spotcheck-{uuid.uuid4().hex[:12]}",
        "S3_REGION": "us-east-1", "S3_ADDRESSING": "path", "S3_PREFIX": "", "S3_MAX_ATTEMPTS": 2,
    }
    S3Storage.from_config(settings).ensure_bucket()
    return settings


@pytest.fixture
def s3(s3_settings) -> S3Storage:
    return S3Storage.from_config(s3_settings)


@pytest.fixture
def closed_port_settings(s3_credentials):
    """Settings pointing at a loopback port nobody listens on: the store is down."""
    return {
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", "S3_BUCKET": "spotcheck-down", "S3_ADDRESSING": "path",
        "S3_MAX_ATTEMPTS": 1, "S3_CONNECT_TIMEOUT": 2, "S3_READ_TIMEOUT": 2,
    }
