"""The S3-compatible backend of `webapp.core.storage` (MEDIA_BACKEND=s3: MinIO, 阿里云 OSS, 华为云 OBS, AWS S3),
through boto3, imported only when it is configured."""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from collections.abc import Iterator
from typing import BinaryIO

from webapp.core.storage import (
    CHUNK,
    PART_SIZE,
    SPOOL_MAX,
    StorageError,
    StorageMissing,
    StorageUnavailable,
    _chunks_of,
    check_key,
    log,
)

_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def s3_client(endpoint_url: str | None, region: str | None, addressing: str = "auto", connect_timeout: float = 3,
              read_timeout: float = 20, max_attempts: int = 3):
    """One boto3 client per process and settings (boto3 clients are thread-safe, their sessions are not, so the
    session is made under the lock). Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, ~/.aws, an instance role). The process id is part of the key: a
    forked worker makes its own connections."""
    cache_key = (os.getpid(), endpoint_url, region, addressing, connect_timeout, read_timeout, max_attempts)
    client = _clients.get(cache_key)
    if client is not None:
        return client
    with _clients_lock:
        client = _clients.get(cache_key)
        if client is None:
            import boto3
            from botocore.config import Config

            config = Config(
                region_name=region or "us-east-1",
                signature_version="s3v4",
                s3={"addressing_style": addressing if addressing in ("path", "virtual") else "auto"},
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"max_attempts": max_attempts, "mode": "standard"},
                max_pool_connections=32,
                # Newer botocore adds CRC checksums to every request by default; several S3-compatible services
                # (older MinIO, OSS, OBS) refuse them. Only where the protocol requires one.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            client = boto3.session.Session().client("s3", endpoint_url=endpoint_url or None, config=config)
            _clients[cache_key] = client
    return client


def _is_missing(error) -> bool:
    from botocore.exceptions import ClientError

    if not isinstance(error, ClientError):
        return False
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code in ("NoSuchKey", "404", "NotFound")


class _Translated:
    """Turns botocore's errors into StorageMissing / StorageUnavailable for one call on one key."""

    def __init__(self, key: str | None, what: str):
        self.key, self.what = key, what

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if error is None or isinstance(error, StorageError):
            return False
        from botocore.exceptions import BotoCoreError, ClientError
        from urllib3.exceptions import HTTPError as Urllib3Error

        if _is_missing(error):
            raise StorageMissing(self.key) from error
        if isinstance(error, (BotoCoreError, ClientError, Urllib3Error, ConnectionError, TimeoutError)):
            log.error("object storage: %s %s failed: %r", self.what, self.key, error)
            raise StorageUnavailable(cause=error) from error
        return False


class _S3Reader(io.RawIOBase):
    """A streamed GET body as a binary file object; a connection lost mid-way raises StorageUnavailable."""

    def __init__(self, body, key: str):
        super().__init__()
        self._body, self._key = body, key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        with _Translated(self._key, "read"):
            data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        with _Translated(self._key, "read"):
            return self._body.read(None if size is None or size < 0 else size)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class _Window(io.RawIOBase):
    """Bytes [offset, offset + length) of a seekable file, as a file of their own (one part of an upload)."""

    def __init__(self, f: BinaryIO, offset: int, length: int):
        super().__init__()
        self._f, self._offset, self._length, self._pos = f, offset, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, min(self._length, base + pos))
        return self._pos

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self._length - self._pos)
        if n <= 0:
            return 0
        self._f.seek(self._offset + self._pos)
        data = self._f.read(n)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def __len__(self) -> int:
        return self._length


class S3Storage:
    """Objects in one bucket, each under `prefix + key`, with the content's SHA-256 in its metadata."""

    def __init__(self, bucket: str, endpoint_url: str | None = None, region: str | None = None,
                 addressing: str = "auto", prefix: str = "", connect_timeout: float = 3, read_timeout: float = 20,
                 max_attempts: int = 3):
        if not bucket:
            raise ValueError("S3_BUCKET is not set")
        self.bucket, self.prefix = bucket, prefix
        self.client = s3_client(endpoint_url, region, addressing, connect_timeout, read_timeout, max_attempts)

    @classmethod
    def from_config(cls, config) -> S3Storage:
        return cls(
            config.get("S3_BUCKET") or "", endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            region=config.get("S3_REGION") or None, addressing=config.get("S3_ADDRESSING") or "auto",
            prefix=config.get("S3_PREFIX") or "", connect_timeout=float(config.get("S3_CONNECT_TIMEOUT", 3)),
            read_timeout=float(config.get("S3_READ_TIMEOUT", 20)), max_attempts=int(config.get("S3_MAX_ATTEMPTS", 3)),
        )

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def exists(self, key: str) -> bool:
        name = self._name(key)
        try:
            with _Translated(key, "head"):
                self.client.head_object(Bucket=self.bucket, Key=name)
        except StorageMissing:
            return False
        return True

    def size(self, key: str) -> int:
        with _Translated(key, "head"):
            return int(self.client.head_object(Bucket=self.bucket, Key=self._name(key))["ContentLength"])

    def put(self, data: bytes, key: str | None = None) -> str:
        digest = hashlib.sha256(data).hexdigest()
        key = key or digest
        if self.exists(key):
            return key
        self._put_object(key, data, digest, hashlib.md5(data, usedforsecurity=False))
        return key

    def _put_object(self, key: str, body, sha256: str, md5) -> None:
        import base64

        with _Translated(key, "put"):
            self.client.put_object(
                Bucket=self.bucket, Key=self._name(key), Body=body, ContentType="application/octet-stream",
                ContentMD5=base64.b64encode(md5.digest()).decode(), Metadata={"sha256": sha256},
            )

    def put_stream(self, fileobj: BinaryIO, key: str | None = None) -> str:
        """Read `fileobj` in chunks of 1 MiB, hashing them into a spooled temporary file (memory up to 1 MiB, the
        disk beyond), then upload from that file: in one PUT below 8 MiB, in 8 MiB parts from there, each read
        from the file as it is sent."""
        if key is not None and self.exists(key):
            return key
        digest, md5, total = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX) as spool:
            while chunk := fileobj.read(CHUNK):
                digest.update(chunk)
                md5.update(chunk)
                spool.write(chunk)
                total += len(chunk)
            sha256 = digest.hexdigest()
            key = key or sha256
            if self.exists(key):
                return key
            spool.seek(0)
            if total < PART_SIZE:
                self._put_object(key, spool, sha256, md5)
                return key
            spool.rollover()  # past 8 MiB it is a file on disk: each part is read from it as it is sent
            self._multipart(key, spool, total, sha256)
        return key

    def _multipart(self, key: str, f: BinaryIO, total: int, sha256: str) -> None:
        """One part after the other, each a window onto the file (nothing but the read buffer in memory); an
        upload that fails is aborted, so no half-made object and no orphan parts stay behind."""
        name = self._name(key)
        with _Translated(key, "upload"):
            upload_id = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=name, ContentType="application/octet-stream", Metadata={"sha256": sha256},
            )["UploadId"]
        try:
            parts = []
            for number, offset in enumerate(range(0, total, PART_SIZE), start=1):
                length = min(PART_SIZE, total - offset)
                with _Translated(key, "upload part"):
                    answer = self.client.upload_part(
                        Bucket=self.bucket, Key=name, UploadId=upload_id, PartNumber=number,
                        Body=_Window(f, offset, length), ContentLength=length,
                    )
                parts.append({"PartNumber": number, "ETag": answer["ETag"]})
            with _Translated(key, "complete upload"):
                self.client.complete_multipart_upload(
                    Bucket=self.bucket, Key=name, UploadId=upload_id, MultipartUpload={"Parts": parts},
                )
        except BaseException:
            try:
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=name, UploadId=upload_id)
            except Exception:  # the store is down: its lifecycle rule for incomplete uploads cleans up
                log.warning("object storage: could not abort the multipart upload of %s", key)
            raise

    def _get(self, key: str, **extra):
        with _Translated(key, "get"):
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key), **extra)

    def read(self, key: str) -> bytes:
        body = self._get(key)["Body"]
        with _S3Reader(body, key) as f:
            return f.read()

    def open(self, key: str) -> BinaryIO:
        return io.BufferedReader(_S3Reader(self._get(key)["Body"], key), buffer_size=256 * 1024)

    def iter_chunks(self, key: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
        return _chunks_of(self.open(key), chunk_size)

    def read_range(self, key: str, start: int, end: int) -> bytes:
        if start < 0 or end < start:
            raise ValueError("bad range")
        if end == start:
            return b""
        from botocore.exceptions import ClientError

        try:
            answer = self._get(key, Range=f"bytes={start}-{end - 1}")
        except StorageUnavailable as e:
            if isinstance(e.cause, ClientError) and e.cause.response.get("Error", {}).get("Code") == "InvalidRange":
                return b""  # starts at or past the end
            raise
        with _S3Reader(answer["Body"], key) as f:
            return f.read()

    def delete(self, key: str) -> None:
        with _Translated(key, "delete"):
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def keys(self) -> Iterator[str]:
        with _Translated(None, "list"):
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix):]

    def ensure_bucket(self) -> bool:
        """Create the bucket when it is not there (for first setups and tests). True when it was created."""
        from botocore.exceptions import ClientError

        try:
            with _Translated(None, "head bucket"):
                self.client.head_bucket(Bucket=self.bucket)
            return False
        except StorageMissing:  # HEAD answers a bare 404
            pass
        except StorageUnavailable as e:
            if not (isinstance(e.cause, ClientError)
                    and str(e.cause.response.get("Error", {}).get("Code")) == "NoSuchBucket"):
                raise
        with _Translated(None, "create bucket"):
            self.client.create_bucket(Bucket=self.bucket)
        return True


