"""Where media bytes live: content-addressed files under MEDIA_ROOT. A small interface, so that object storage
can take the local disk's place without touching the views."""
import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


class LocalStorage:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key or ".." in key or key.startswith("/"):
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    def put(self, data: bytes, key: str | None = None) -> str:
        """Store bytes under `key` (default: their SHA-256). Atomic: a reader never sees half a file."""
        key = key or hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return key

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()


def storage() -> LocalStorage:
    return LocalStorage(current_app.config["MEDIA_ROOT"])
