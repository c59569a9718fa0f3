"""Two app servers behind one address (issue 17 §3): two gunicorn processes on two loopback ports, each with its
own control socket, over the same PostgreSQL, Redis (jobs) and S3-protocol store (moto's server), and a Celery
worker. One phone (one cookie jar, as a browser) signs in on A and syncs alternately to A and B, with replays:
nothing is lost, both see one state, and the session, CSRF token, sign-out and the sign-in lock hold across
both. Runs on PostgreSQL (TEST_DATABASE_URL), skipped only on the SQLite pass."""
import hashlib
import io
import os
import re
import uuid

import pytest
import redis
import requests
from PIL import Image
from sqlalchemy import select

from tests.browser.helpers import wait_until
from tests.conftest import redis_url
from tests.core.stack import Stack, signing_key_pem
from tests.factories import PASSWORD
from tests.field_api.conftest import full_findings, jpeg_with_exif, signature_png, submission
from webapp.core.extensions import db
from webapp.stages.records.models import InspectionRecord, Media

# Its own database: test_jobs_sweep flushes 11, and xdist may run both at once (TWO_SERVERS_BROKER: another one,
# for a run beside other users of the same Redis).
BROKER = os.environ.get("TWO_SERVERS_BROKER") or redis_url(15)
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def stack(app, database_url, s3_settings, tmp_path, dispatched):
    if not database_url.startswith("postgresql"):
        pytest.skip("two app servers share PostgreSQL: this test runs on the PostgreSQL pass (TEST_DATABASE_URL)")
    redis.Redis.from_url(BROKER).flushdb()
    db.session.commit()
    env = {
        "DATABASE_URL": database_url, "SECRET_KEY": uuid.uuid4().hex, "LOG_SIGNING_KEY": signing_key_pem(),
        "JOBS_BROKER_URL": BROKER, "MEDIA_BACKEND": "s3", "MEDIA_ROOT": str(tmp_path / "no-local-media"),
        "S3_ENDPOINT_URL": s3_settings["S3_ENDPOINT_URL"], "S3_BUCKET": s3_settings["S3_BUCKET"],
        "S3_ADDRESSING": "path", "S3_REGION": "us-east-1", "LOGIN_MAX_FAILURES": "3",
    }
    servers = Stack(env, tmp_path / "run", web=2, workers=1, concurrency=1)
    try:
        yield servers.start()
    finally:
        servers.stop()
        redis.Redis.from_url(BROKER).flushdb()


class Phone:
    """The field app's side, over HTTP with one cookie jar (the browser's): it may reach either server."""

    def __init__(self):
        self.http = requests.Session()
        self.token = None

    def login(self, url, username, password=PASSWORD):
        page = self.http.get(url + "/login", timeout=30)
        token = TOKEN.search(page.text).group(1)
        return self.http.post(url + "/login", data={"username": username, "password": password, "csrf_token": token},
                              allow_redirects=False, timeout=30)

    def session(self, url):
        answer = self.http.get(url + "/api/field/session", timeout=30)
        if answer.status_code == 200:
            self.token = answer.json()["csrf_token"]
        return answer

    def upload(self, url, record_id, data, kind="photo", filename="photo.jpg"):
        return self.http.post(f"{url}/api/field/media/{record_id}", headers={"X-CSRFToken": self.token},
                              files={"file": (filename, io.BytesIO(data))},
                              data={"sha256": sha(data), "kind": kind}, timeout=30)

    def put(self, url, body, client_uuid, token=None):
        return self.http.put(f"{url}/api/field/records/{client_uuid}", json=body, timeout=30,
                             headers={"X-CSRFToken": token or self.token})


def test_a_phone_syncing_alternately_to_two_servers_loses_nothing(app, stack, dispatched):
    a, b = stack.urls
    assert stack.control_socket(0).exists() and stack.control_socket(1).exists()  # one each, not one shared path
    record = dispatched.record
    phone = Phone()
    assert phone.login(a, "jt01").status_code == 302
    assert phone.session(b).status_code == 200  # signed in on A, known on B
    token_from_b = phone.token

    photos = [jpeg_with_exif(colour=(40 * i, 90, 160), size=(800, 600)) for i in range(1, 5)]
    answers = {}
    for i, photo in enumerate(photos):  # alternately, each replayed on the other server
        first, other = (a, b) if i % 2 == 0 else (b, a)
        made = phone.upload(first, record.id, photo)
        assert made.status_code == 201, made.text
        again = phone.upload(other, record.id, photo)
        assert again.status_code == 200 and again.json() == made.json()
        answers[sha(photo)] = made.json()["media_id"]
    signature = signature_png()
    assert phone.upload(a, record.id, signature, kind="signature", filename="signature.png").status_code == 201
    for url in (a, b):
        for digest, media_id in answers.items():
            assert phone.http.get(f"{url}/api/field/media/{record.id}/{digest}", timeout=30).json()["media_id"] == media_id

    body = submission(record, findings=full_findings(record, photos=list(answers)), signature=sha(signature))
    key = str(uuid.uuid4())
    stored = phone.put(b, body, key, token=token_from_b)
    assert stored.status_code == 201, stored.text + stack.log("web-1", 6000)
    replay = phone.put(a, body, key)  # the phone did not hear the answer: it sends again, to the other server
    assert replay.status_code == 200 and replay.json() == stored.json()
    assert phone.put(a, body, str(uuid.uuid4())).status_code == 409  # one record, whichever server is asked

    # The worker made every derivative; both servers serve the same bytes, never the raw upload.
    def all_ready():
        db.session.expire_all()
        media = db.session.scalars(select(Media).where(Media.record_id == record.id)).all()
        return len(media) == 5 and all(m.ready for m in media)

    wait_until(all_ready, 120, f"the derivative jobs ({stack.log('worker')})")
    for photo, media_id in zip(photos, answers.values()):
        served = [phone.http.get(f"{url}/media/{media_id}", timeout=30) for url in (a, b)]
        assert served[0].status_code == 200 and served[0].headers["Content-Type"] == "image/jpeg"
        assert served[0].content == served[1].content != photo
        with Image.open(io.BytesIO(served[0].content)) as im:
            assert im.size == (600, 800)  # turned upright by the job (EXIF orientation 6)
    tasks = [phone.http.get(f"{url}/api/field/tasks", timeout=30).json() for url in (a, b)]
    assert tasks[0] == tasks[1]
    db.session.expire_all()
    assert db.session.get(InspectionRecord, record.id).status != "dispatched"

    # Signed out on B, the cookie copied before is refused by A too (sessions live in the database).
    copied = requests.Session()
    copied.cookies.update(phone.http.cookies)
    assert phone.http.post(b + "/logout", data={"csrf_token": phone.token}, allow_redirects=False,
                           timeout=30).status_code == 302
    assert copied.get(a + "/api/field/session", timeout=30).status_code == 401
    assert phone.session(a).status_code == 401


def test_the_sign_in_lock_counts_failures_on_both_servers(stack, dispatched):
    a, b = stack.urls
    phone = Phone()
    for url in (a, b, a):  # LOGIN_MAX_FAILURES=3, spread over both servers
        assert phone.login(url, "jt02", "wrong").status_code == 401
    locked = phone.login(b, "jt02")  # the right password now: still locked, on the server not yet failed twice
    assert locked.status_code == 429 and "尝试次数过多" in locked.text
