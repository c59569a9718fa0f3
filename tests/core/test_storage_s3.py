"""The media store: the local disk and S3-compatible object storage behind one interface. The S3 side speaks HTTP
to moto's standalone server (tests/core/conftest.py), as it would to MinIO, OSS or OBS."""
import hashlib
import io
import tracemalloc

import pytest
from sqlalchemy import func, select

from tests import factories
from webapp.core.extensions import db
from webapp.core.storage import CHUNK, PART_SIZE, LocalStorage, S3Storage, StorageMissing, StorageUnavailable, storage
from webapp.domain.refusal import Refused
from webapp.stages.records.media import thumbnail_key
from webapp.stages.records.models import Media

from .conftest import MotoServer


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Generated(io.RawIOBase):
    """`size` deterministic pseudo-random bytes made as they are read: a large body never held in memory whole."""

    def __init__(self, size: int, seed: bytes = b"spotcheck"):
        super().__init__()
        self.size, self.seed, self.pos = size, seed, 0
        self.digest = hashlib.sha256()

    def readable(self):
        return True

    def _block(self, index: int) -> bytes:
        return hashlib.sha512(self.seed + index.to_bytes(8, "big")).digest() * 512  # 32 KiB

    def readinto(self, buffer):
        n = min(len(buffer), self.size - self.pos)
        if n <= 0:
            return 0
        out = bytearray()
        while len(out) < n:
            block = self._block((self.pos + len(out)) // 32768)
            offset = (self.pos + len(out)) % 32768
            out += block[offset: offset + n - len(out)]
        buffer[:n] = out
        self.pos += n
        self.digest.update(out)
        return n


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    return request.getfixturevalue("s3")


# --- the interface, on both backends -----------------------------------------------------------------------

def test_put_read_exists_size_delete(store):
    data = b"\xff\xd8 a photo \xff\xd9" * 100
    key = store.put(data)
    assert key == sha(data)
    assert store.exists(key) and store.read(key) == data and store.size(key) == len(data)
    assert store.put(data) == key  # content-addressed: the same bytes, the same key, nothing changes
    assert store.put(b"thumbnail", thumbnail_key(key)) == thumbnail_key(key)
    assert store.put(b"another", thumbnail_key(key)) == thumbnail_key(key)  # a key already there is kept
    assert store.read(thumbnail_key(key)) == b"thumbnail"
    assert sorted(store.keys()) == sorted([key, thumbnail_key(key)])
    with store.open(key) as f:
        assert f.read(5) == data[:5] and f.read() == data[5:]
    assert b"".join(store.iter_chunks(key, 64)) == data
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting what is not there is not an error
    with pytest.raises(ValueError):
        store.put(b"x", "../etc/passwd")


def test_range_reads(store):
    data = bytes(range(256)) * 40
    key = store.put(data)
    assert store.read_range(key, 0, 10) == data[:10]
    assert store.read_range(key, 1000, 2000) == data[1000:2000]
    assert store.read_range(key, len(data) - 5, len(data) + 100) == data[-5:]  # clamped to the end
    assert store.read_range(key, 7, 7) == b""
    assert store.read_range(key, len(data) + 10, len(data) + 20) == b""  # past the end: nothing
    with pytest.raises(ValueError):
        store.read_range(key, 10, 5)


def test_a_missing_key_raises_storage_missing(store):
    key = sha(b"never stored")
    assert not store.exists(key)
    for call in (store.read, store.open, store.size, lambda k: store.read_range(k, 0, 10),
                 lambda k: list(store.iter_chunks(k))):
        with pytest.raises(StorageMissing) as raised:
            call(key)
        assert raised.value.key == key and isinstance(raised.value, KeyError)
        assert "媒体文件不存在" in str(raised.value)


def test_a_streamed_put_of_many_megabytes_hashes_on_the_way_with_a_small_buffer(store):
    size = 2 * PART_SIZE + 3 * 1024 * 1024 + 17  # three parts on S3, the last one short
    body = Generated(size)
    tracemalloc.start()
    try:
        key = store.put_stream(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert key == body.digest.hexdigest()
    assert peak < 6 * 1024 * 1024, f"put_stream held {peak / 2**20:.1f} MiB of a {size / 2**20:.0f} MiB body"
    assert store.size(key) == size
    again = Generated(size)
    digest, largest = hashlib.sha256(), 0
    for chunk in store.iter_chunks(key):
        digest.update(chunk)
        largest = max(largest, len(chunk))
    assert digest.hexdigest() == key and largest <= CHUNK
    expected = Generated(size)
    expected.read(PART_SIZE - 10)
    assert store.read_range(key, PART_SIZE - 10, PART_SIZE + 10) == expected.read(20)  # across a part boundary
    assert store.put_stream(again) == key  # already there: the same key


def test_a_small_streamed_put_and_a_given_key(store):
    data = b"signature png" * 10
    assert store.put_stream(io.BytesIO(data)) == sha(data)
    assert store.put_stream(io.BytesIO(b"display copy"), "display-" + sha(data)) == "display-" + sha(data)
    assert store.read("display-" + sha(data)) == b"display copy"


def test_objects_carry_their_hash_and_the_prefix(s3_settings):
    store = S3Storage.from_config({**s3_settings, "S3_PREFIX": "media/"})
    key = store.put(b"bytes")
    head = store.client.head_object(Bucket=store.bucket, Key="media/" + key)
    assert head["Metadata"]["sha256"] == key
    assert list(store.keys()) == [key]


# --- the store is down ---------------------------------------------------------------------------------------

def test_a_closed_port_raises_storage_unavailable_in_chinese(closed_port_settings):
    store = S3Storage.from_config(closed_port_settings)
    for call in (lambda: store.put(b"x"), lambda: store.read("a" * 64), lambda: store.exists("a" * 64),
                 lambda: store.put_stream(io.BytesIO(b"x"))):
        with pytest.raises(StorageUnavailable) as raised:
            call()
        assert isinstance(raised.value, Refused) and raised.value.status == 503
        assert "图片存储服务暂时无法访问" in raised.value.message


def test_a_server_that_stops_raises_storage_unavailable(s3_credentials):
    server = MotoServer().start()
    try:
        settings = {"S3_ENDPOINT_URL": server.url, "S3_BUCKET": "spotcheck-stops", "S3_ADDRESSING": "path",
                    "S3_MAX_ATTEMPTS": 1, "S3_CONNECT_TIMEOUT": 2, "S3_READ_TIMEOUT": 2}
        store = S3Storage.from_config(settings)
        store.ensure_bucket()
        key = store.put(b"before the outage")
        assert store.read(key) == b"before the outage"
    finally:
        server.stop()
    with pytest.raises(StorageUnavailable):
        store.read(key)
    with pytest.raises(StorageUnavailable):
        store.put(b"during the outage")


# --- through the app ------------------------------------------------------------------------------------------

class Phone:
    def __init__(self, client, auth, username):
        auth.login(username)
        self.client = client
        self.token = client.get("/api/field/session").get_json()["csrf_token"]

    def upload(self, record_id, data, kind="photo"):
        form = {"file": (io.BytesIO(data), "photo.jpg"), "sha256": sha(data), "kind": kind}
        return self.client.post(f"/api/field/media/{record_id}", data=form, headers={"X-CSRFToken": self.token},
                                content_type="multipart/form-data")


def media_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Media))


def test_upload_when_the_store_is_down_answers_503_and_writes_nothing(app, client, auth, dispatched,
                                                                       closed_port_settings):
    app.config.update(MEDIA_BACKEND="s3", **closed_port_settings)
    phone = Phone(client, auth, "jt01")
    photo = factories.image_bytes("现场照片")
    response = phone.upload(dispatched.record.id, photo)
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.is_json and set(response.get_json()) == {"error"}
    assert "图片存储服务暂时无法访问" in response.get_json()["error"]
    assert media_count() == 0
    # The phone kept it and sends it again when the store is back: then it is taken.
    assert client.get(f"/api/field/media/{dispatched.record.id}/{sha(photo)}").status_code == 404


def test_a_photo_uploaded_through_the_phone_api_is_served_from_s3(app, client, auth, dispatched, s3_settings):
    app.config.update(MEDIA_BACKEND="s3", **s3_settings)
    assert isinstance(storage(), S3Storage)
    phone = Phone(client, auth, "jt01")
    photo = factories.image_bytes("现场照片", size=(1200, 900))
    response = phone.upload(dispatched.record.id, photo)
    assert response.status_code == 201, response.get_json()
    media = db.session.get(Media, response.get_json()["media_id"])
    s3 = S3Storage.from_config(s3_settings)
    assert s3.exists(media.storage_key) and s3.exists(thumbnail_key(media.sha256))
    assert not (app.config["MEDIA_ROOT"] and LocalStorage(app.config["MEDIA_ROOT"]).exists(media.storage_key))
    served = client.get(f"/media/{media.id}")
    assert served.status_code == 200 and served.data == s3.read(media.storage_key)
    assert sha(served.data) == media.storage_key
    thumb = client.get(f"/media/{media.id}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert phone.upload(dispatched.record.id, photo).status_code == 200  # a replay changes nothing


# --- spotcheck media migrate --to s3 ----------------------------------------------------------------------------

def test_migrate_copies_every_local_file_verifies_and_is_idempotent(app, runner, client, auth, dispatched,
                                                                    s3_settings):
    record = dispatched.record
    photo = factories.add_media(record, factories.image_bytes("照片一"), "photo")
    signature = factories.add_media(record, factories.signature_bytes(), "signature", "image/png")
    db.session.commit()
    local = LocalStorage(app.config["MEDIA_ROOT"])
    local.put(b"a thumbnail", thumbnail_key(photo.sha256))
    app.config.update(s3_settings)  # MEDIA_BACKEND stays local: the app still serves from the disk
    s3 = S3Storage.from_config(s3_settings)

    dry = runner.invoke(args=["media", "migrate", "--to", "s3", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "将复制 3 个文件" in dry.output and list(s3.keys()) == []

    first = runner.invoke(args=["media", "migrate", "--to", "s3"])
    assert first.exit_code == 0, first.output
    assert "媒体迁移 4/4：已复制 3" in first.output  # four keys, the signature's thumbnail absent (made on demand)
    for key in (photo.storage_key, signature.storage_key, thumbnail_key(photo.sha256)):
        assert s3.read(key) == local.read(key)
    again = runner.invoke(args=["media", "migrate", "--to", "s3"])
    assert again.exit_code == 0 and "已复制 0 个文件" in again.output and "3 个已存在且一致" in again.output

    # An object in the bucket that differs from the disk is replaced; a damaged local file is reported.
    s3.delete(signature.storage_key)
    s3.put(b"not the signature", signature.storage_key)
    path = local.root / photo.storage_key[:2] / photo.storage_key
    path.write_bytes(b"bit rot")
    repaired = runner.invoke(args=["media", "migrate", "--to", "s3"])
    assert repaired.exit_code == 1
    assert "已复制 1 个文件" in repaired.output and f"本地文件内容与其校验值不符（已损坏？），未复制：{photo.storage_key}" in repaired.output
    assert sha(s3.read(signature.storage_key)) == signature.storage_key

    # Switched over, the app serves what was migrated.
    app.config["MEDIA_BACKEND"] = "s3"
    auth.login("jt01")
    served = client.get(f"/media/{signature.id}")
    assert served.status_code == 200 and sha(served.data) == signature.storage_key


def test_migrate_says_when_the_bucket_is_not_configured_or_the_store_is_down(app, runner, closed_port_settings):
    app.config["S3_BUCKET"] = ""
    result = runner.invoke(args=["media", "migrate", "--to", "s3"])
    assert result.exit_code != 0 and "未配置 S3_BUCKET" in result.output
    app.config.update(closed_port_settings)
    result = runner.invoke(args=["media", "migrate", "--to", "s3", "--create-bucket"])
    assert result.exit_code != 0 and "对象存储出错" in result.output


# --- configuration ------------------------------------------------------------------------------------------------

def test_the_environment_chooses_the_backend(monkeypatch, tmp_path):
    from webapp.core import config

    assert config.load(str(tmp_path))["MEDIA_BACKEND"] == "local"
    for name, value in {"MEDIA_BACKEND": "S3", "S3_ENDPOINT_URL": "http://127.0.0.1:9000", "S3_BUCKET": "media",
                        "S3_ADDRESSING": "path", "S3_REGION": "cn-north-1"}.items():
        monkeypatch.setenv(name, value)
    loaded = config.load(str(tmp_path))
    assert (loaded["MEDIA_BACKEND"], loaded["S3_ENDPOINT_URL"], loaded["S3_BUCKET"], loaded["S3_ADDRESSING"],
            loaded["S3_REGION"]) == ("s3", "http://127.0.0.1:9000", "media", "path", "cn-north-1")


def test_storage_follows_the_app_and_the_client_is_made_once_per_process(app, s3_settings):
    from concurrent.futures import ThreadPoolExecutor

    assert isinstance(storage(), LocalStorage)
    app.config.update(MEDIA_BACKEND="s3", **s3_settings)

    def client_in_a_thread(_):
        with app.app_context():
            store = storage()
            store.put(b"from a thread")
            return id(store.client)

    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(client_in_a_thread, range(16)))
    assert ids == {id(storage().client)}
    assert storage().client.meta.config.s3["addressing_style"] == "path"
