"""WebKit fixtures: Debian's WebKitGTK (the engine family of Safari, so of every iPhone browser) driven through
WebKitWebDriver and Selenium, in a 360×740 phone window (phone_browser.py) under an Xvfb of its own, talking to
the live server through a loopback forwarder the test can cut. A missing WebKit is a failure, never a skip:
`apt-get install -y --no-install-recommends webkit2gtk-driver xvfb gir1.2-webkit2-4.1 python3-gi`."""
import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from tests.browser.conftest import live_server  # noqa: F401

DRIVER = "/usr/bin/WebKitWebDriver"
XVFB = "/usr/bin/Xvfb"
SYSTEM_PYTHON = "/usr/bin/python3"   # python3-gi lives in Debian's python, not in the project's virtualenv
PHONE_BROWSER = Path(__file__).with_name("phone_browser.py")
BROWSER_NAME = "spotcheck-phone"     # phone_browser.py's application name, which WebKitWebDriver matches


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Forwarder:
    """A loopback TCP forwarder to the live server: the phone's network. `cut()` drops every open connection and
    refuses new ones (a reset, as a dead network gives), `restore()` brings it back; the server never notices.
    navigator.onLine stays true throughout, as on a phone whose Wi-Fi has no way out."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.up = True
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @staticmethod
    def _reset(sock):
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.close()
        except OSError:
            pass

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return                       # closed at the end of the test
            if not self.up:
                self._reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                self._reset(client)
                continue
            with self.lock:
                self.open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with self.lock:
                    self.open.discard(s)
                try:
                    s.shutdown(socket.SHUT_RDWR)   # wakes the other direction's recv()
                except OSError:
                    pass
                s.close()

    def cut(self):
        self.up = False
        with self.lock:
            dropped, self.open = list(self.open), set()
        for s in dropped:
            self._reset(s)

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.listener.close()


@pytest.fixture
def network(live_server):  # noqa: F811
    forwarder = Forwarder(live_server.server_port)
    yield forwarder
    forwarder.close()


@pytest.fixture(scope="session")
def display():
    """An Xvfb of our own (MiniBrowser and GTK have no headless mode); -displayfd picks a free display number."""
    for path in (DRIVER, XVFB, SYSTEM_PYTHON):
        assert Path(path).exists(), (
            f"{path} missing: apt-get install -y --no-install-recommends webkit2gtk-driver xvfb gir1.2-webkit2-4.1 python3-gi")
    check = subprocess.run([SYSTEM_PYTHON, "-c", "import gi; gi.require_version('WebKit2', '4.1'); "
                            "gi.require_version('Gtk', '3.0'); from gi.repository import WebKit2, Gtk"],
                           capture_output=True, text=True)
    assert check.returncode == 0, f"WebKitGTK for python3-gi missing (gir1.2-webkit2-4.1): {check.stderr}"
    read, write = os.pipe()
    xvfb = subprocess.Popen([XVFB, "-displayfd", str(write), "-screen", "0", "800x900x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(10)


@pytest.fixture
def webkit(display, tmp_path):
    """A fresh phone: WebKitGTK at 360×740 with its own storage (service worker, IndexedDB, caches) under tmp_path.
    The driver gets fixed ports we chose, not ones it picks."""
    from selenium import webdriver
    from selenium.webdriver.remote.file_detector import UselessFileDetector
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    options = Options()
    options.binary_location = str(PHONE_BROWSER)
    options.add_argument("--automation")
    options.add_argument(f"--data-dir={tmp_path / 'phone'}")
    options.set_capability("browserName", BROWSER_NAME)
    env = {**os.environ, "DISPLAY": display, "GDK_BACKEND": "x11", "LANG": "zh_CN.UTF-8", "TZ": "Asia/Shanghai",
           "WEBKIT_DISABLE_COMPOSITING_MODE": "1"}
    service = Service(executable_path=DRIVER, port=_free_port(), env=env,
                      log_output=str(tmp_path / "webkitwebdriver.log"))
    driver = webdriver.WebKitGTK(options=options, service=service)
    # Selenium's default file detector would try a Selenium Grid upload: the browser reads local paths itself.
    driver.file_detector = UselessFileDetector()
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(tmp_path / "phone", ignore_errors=True)
