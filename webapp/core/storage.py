"""Where media bytes live: content-addressed objects, on the local disk (MEDIA_ROOT, the embedded default) or in
S3-compatible object storage (MEDIA_BACKEND=s3: MinIO, 阿里云 OSS, 华为云 OBS, AWS S3). One small interface, so
the stages and views never know which.

Both backends offer the same calls (`Storage` below):

    put(data, key=None) -> key          bytes; the key defaults to their SHA-256; a key already there is kept
    put_stream(fileobj, key=None) -> key  the same for a file object, read in chunks and hashed on the way
    exists(key) -> bool
    read(key) -> bytes                  the whole object (small media; existing callers)
    open(key) -> binary file object     streamed reads (use as a context manager)
    iter_chunks(key, chunk_size)        the object in chunks, for a streamed response
    read_range(key, start, end) -> bytes  bytes [start, end) (end exclusive, clamped to the size)
    size(key) -> int
    delete(key)                         gone afterwards; deleting a missing key is not an error
    keys() -> iterator of keys

Errors: a key that is not there raises `StorageMissing` (a KeyError, and a FileNotFoundError as the local disk
raised before); an object store that cannot be reached (down, timing out, refusing our credentials, answering
5xx) raises `StorageUnavailable`, a `Refused` with HTTP status 503 and a Chinese message, so the one error handler
answers the phone {"error": 中文} with 503 (it keeps the record and retries) and rolls the session back."""
from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

from webapp.domain.refusal import Refused

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024  # what a streamed put or read holds in memory at a time
SPOOL_MAX = 1024 * 1024  # a streamed put up to this size is hashed in memory, a larger one in a temporary file
PART_SIZE = 8 * 1024 * 1024  # S3 multipart: parts of 8 MiB (the protocol's minimum is 5 MiB), from 8 MiB up

UNAVAILABLE_MESSAGE = "图片存储服务暂时无法访问，请稍后重试。"


class StorageError(Exception):
    """Anything the media store cannot do."""


class StorageMissing(StorageError, KeyError, FileNotFoundError):
    """No object under this key."""

    def __init__(self, key: str):
        Exception.__init__(self, key)
        self.key = key

    def __str__(self) -> str:
        return f"媒体文件不存在：{self.key}"


class StorageUnavailable(StorageError, Refused):
    """The store cannot be reached or refuses to serve now: answered as 503 with a Chinese message."""

    status = 503

    def __init__(self, message: str = UNAVAILABLE_MESSAGE, *, cause: object = None):
        Refused.__init__(self, message, 503)
        self.cause = cause


def check_key(key: str) -> str:
    if not key or not isinstance(key, str) or ".." in key or key.startswith("/") or "\\" in key or "\0" in key:
        raise ValueError("bad storage key")
    return key


class Storage(Protocol):
    def put(self, data: bytes, key: str | None = None) -> str: ...
    def put_stream(self, fileobj: BinaryIO, key: str | None = None) -> str: ...
    def exists(self, key: str) -> bool: ...
    def read(self, key: str) -> bytes: ...
    def open(self, key: str) -> BinaryIO: ...
    def iter_chunks(self, key: str, chunk_size: int = CHUNK) -> Iterator[bytes]: ...
    def read_range(self, key: str, start: int, end: int) -> bytes: ...
    def size(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...
    def keys(self) -> Iterator[str]: ...


def _chunks_of(f: BinaryIO, chunk_size: int) -> Iterator[bytes]:
    with f:
        while True:
            chunk = f.read(chunk_size)
            if not chunk:
                return
            yield chunk


# --- local disk ----------------------------------------------------------------------------------------------

class LocalStorage:
    """Files under `root`, as root/<first two characters of the key>/<key>. Writes are atomic (a temporary file in
    the same folder, then a rename): a reader never sees half a file."""

    INCOMING = ".incoming"  # streamed puts land here first, their key being known only at the end

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    def _existing(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise StorageMissing(key)
        return path

    def put(self, data: bytes, key: str | None = None) -> str:
        """Store bytes under `key` (default: their SHA-256). A key already stored is kept as it is."""
        key = key or hashlib.sha256(data).hexdigest()
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def put_stream(self, fileobj: BinaryIO, key: str | None = None) -> str:
        if key is not None and self._path(key).exists():
            return key
        incoming = self.root / self.INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=incoming)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as f:
                while chunk := fileobj.read(CHUNK):
                    digest.update(chunk)
                    f.write(chunk)
            key = key or digest.hexdigest()
            path = self._path(key)
            if path.exists():
                return key
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return key

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def read(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            raise StorageMissing(key) from None

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError):
            raise StorageMissing(key) from None

    def iter_chunks(self, key: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        return _chunks_of(self.open(key), chunk_size)

    def read_range(self, key: str, start: int, end: int) -> bytes:
        if start < 0 or end < start:
            raise ValueError("bad range")
        with self.open(key) as f:
            f.seek(start)
            return f.read(end - start)

    def size(self, key: str) -> int:
        return self._existing(key).stat().st_size

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    yield path.name


# --- the configured one --------------------------------------------------------------------------------------

def local_storage(config=None) -> LocalStorage:
    return LocalStorage((config or current_app.config)["MEDIA_ROOT"])


def s3_storage(config=None) -> "S3Storage":
    return S3Storage.from_config(config or current_app.config)


def storage() -> Storage:
    """The store the configuration names: MEDIA_BACKEND=s3 for object storage, the local disk otherwise."""
    config = current_app.config
    if (config.get("MEDIA_BACKEND") or "local").lower() == "s3":
        return s3_storage(config)
    return local_storage(config)


from webapp.core.storage_s3 import S3Storage, s3_client  # noqa: E402,F401  (the S3 backend, its own module)
