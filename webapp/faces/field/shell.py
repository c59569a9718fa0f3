"""The app shell's asset list and its version: generated from the real files at request time.

The version is a hash of the bytes of every precached file (the front-end files, the shell template and the
service worker source), so changing any asset changes the service worker's bytes and the browser offers the
update ("有新版本").
"""
import hashlib
from pathlib import Path

from flask import current_app

SHELL_URL = "/field/"
MANIFEST_URL = "/field/manifest.webmanifest"
CALENDAR_URL = "/field/calendar.json"
STATIC_SUBDIR = "field"
SHELL_TEMPLATE = "field/shell.html"
SW_SOURCE = "sw.js"
SUFFIXES = {".js", ".css", ".png", ".svg"}


def static_root() -> Path:
    return Path(current_app.static_folder) / STATIC_SUBDIR


def worker_source_path() -> Path:
    from webapp import resource_dir

    return resource_dir("service_worker") / SW_SOURCE


def template_path() -> Path:
    return Path(current_app.template_folder) / SHELL_TEMPLATE


def asset_files() -> list[Path]:
    """Every front-end file of the field app, in a stable order."""
    root = static_root()
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES)


def asset_urls() -> list[str]:
    root = Path(current_app.static_folder)
    return [current_app.static_url_path + "/" + p.relative_to(root).as_posix() for p in asset_files()]


def scripts() -> list[str]:
    return [u for u in asset_urls() if u.endswith(".js")]


def version() -> str:
    """Short hash of the contents of everything the worker precaches, and of the worker itself."""
    digest = hashlib.sha256()
    root = Path(current_app.static_folder)
    for path in [*asset_files(), template_path(), worker_source_path()]:
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def precache_list() -> list[str]:
    return [SHELL_URL, MANIFEST_URL, *asset_urls()]
