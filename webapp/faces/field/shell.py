"""The app shell's asset list and its version: generated from the real files at request time.

The version is a hash of the bytes of every precached file (the front-end files, the shell template and the
service worker source), so changing any asset changes the service worker's bytes and the browser offers the
update ("有新版本"). The files are addressed under /static/v/<version>/field/… (faces/assets.py serves them
immutable), a prefix, so the modules' relative imports carry the version too; the hash is recomputed only when a
file's size or modification time changes.
"""
import hashlib
import posixpath
import re
from pathlib import Path, PurePosixPath

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


def prefix() -> str:
    """Where this version's files are addressed: /static/v/<version>/ (then field/app.js etc.)."""
    return f"{current_app.static_url_path}/v/{version()}/"


def asset_url(name: str) -> str:
    """The versioned URL of a field file, e.g. asset_url("field/app.js")."""
    return prefix() + name


def asset_urls() -> list[str]:
    root = Path(current_app.static_folder)
    return [asset_url(p.relative_to(root).as_posix()) for p in asset_files()]


ENTRY = "field/app.js"
STATIC_IMPORT = re.compile(r'^\s*(?:import|export)\b[^;"]*?(?:from\s*)?"(\.{1,2}/[^"]+\.js)"', re.M)


def first_screen(entry: str = ENTRY) -> list[str]:
    """The entry module and everything it imports statically, transitively (static/field/… names): what the first
    screen needs. Screens loaded with import() are left to load when opened."""
    root = Path(current_app.static_folder)
    seen, todo = [], [entry]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.append(name)
        source = (root / name).read_text(encoding="utf-8")
        base = PurePosixPath(name).parent
        for spec in STATIC_IMPORT.findall(source):
            todo.append(posixpath.normpath(str(base / spec)))
    return sorted(seen)


def scripts() -> list[str]:
    """The modules the shell preloads: the first screen's."""
    return [asset_url(name) for name in first_screen()]


_versions: dict[tuple, str] = {}


def version() -> str:
    """Short hash of the contents of everything the worker precaches, and of the worker itself."""
    paths = [*asset_files(), template_path(), worker_source_path()]
    key = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    if key not in _versions:
        if len(_versions) > 16:
            _versions.clear()
        _versions[key] = _hash(paths)
    return _versions[key]


def _hash(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    root = Path(current_app.static_folder)
    for path in paths:
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def precache_list() -> list[str]:
    return [SHELL_URL, MANIFEST_URL, *asset_urls()]
