"""Real images made with Pillow, the findings and the body a phone sends, and a phone-like API client that sends
the CSRF token in X-CSRFToken. The records are tests/conftest.py's `dispatched` (tests/factories.py)."""
import hashlib
import io
import uuid

import pytest
from PIL import ExifTags, Image, ImageDraw

from webapp.domain import findings as rules


def jpeg_with_exif(size=(640, 480), colour=(190, 40, 40), orientation=6) -> bytes:
    """A camera-like JPEG: EXIF with make, model, time taken, orientation and a GPS position in 莲池区."""
    im = Image.new("RGB", size, colour)
    ImageDraw.Draw(im).rectangle((10, 10, size[0] // 3, size[1] // 4), fill=(250, 250, 250))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Xiaomi"
    exif[ExifTags.Base.Model] = "Redmi Note 12"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.Exif] = {ExifTags.Base.DateTimeOriginal: "2026:11:20 10:11:12"}
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (38.0, 52.0, 10.5),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (115.0, 28.0, 30.0),
    }
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def signature_png(text_seed=0) -> bytes:
    """A finger signature as the canvas exports it: strokes on a transparent background."""
    im = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    draw.line([(30, 180), (120 + text_seed, 60), (220, 170), (330, 50), (480, 160)], fill=(10, 10, 10, 255), width=6)
    out = io.BytesIO()
    im.save(out, "PNG")
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def full_findings(record, result="pass", note="", photos=None, codes=("no_problem",), method="onsite"):
    """Every item of every department answered, the team present in uniform with credentials shown."""
    departments = []
    for pd in record.plan.departments:
        items = []
        for item in record.plan.items_of(pd.department_id):
            items.append({
                "plan_item_id": item.id,
                "method": method if method in item.methods else item.methods[0],
                "points": [{"text": t, "result": result, "note": note, "photos": list(photos or [])}
                           for t in item.check_points],
            })
        departments.append({"department_id": pd.department_id, "items": items})
    present = [m.inspector.certificate_no for m in record.members if m.kind == "drawn"]
    return {
        "departments": departments,
        "team": {"present": present, "uniform": True, "credentials_shown": True},
        "result_codes": sorted(codes),
        "remarks": "现场检查情况良好。",
    }


def submission(record, findings=None, codes=("no_problem",), signature=None, seal=None, refusal=None,
               inspected_on=None):
    from webapp.stages.field.tasks import today_in_china

    findings = findings if findings is not None else full_findings(record, codes=codes)
    return {
        "record_id": record.id,
        "inspected_on": (inspected_on or today_in_china()).isoformat(),
        "checked_in_at": "2026-11-20T09:30:00+08:00",
        "checkin": {"lat": 38.8695, "lng": 115.475, "accuracy": 12.5},
        "findings": findings,
        "result_codes": list(codes),
        "findings_hash": rules.findings_hash(findings, list(codes)),
        "signature_sha": signature,
        "seal_sha": seal,
        "refusal": refusal,
    }


class Phone:
    """The field app's side of the conversation."""

    def __init__(self, client, auth):
        self.client, self.auth, self.token = client, auth, None

    def login(self, username):
        self.auth.login(username)
        self.token = self.client.get("/api/field/session").get_json()["csrf_token"]
        return self

    def logout(self):
        # The token from the API, not from a page: pages of other areas may be half-built in the shared tree.
        self.client.post("/logout", data={"csrf_token": self.token})
        self.token = None

    def headers(self):
        return {"X-CSRFToken": self.token} if self.token else {}

    def tasks(self):
        return self.client.get("/api/field/tasks")

    def has(self, record_id, digest):
        return self.client.get(f"/api/field/media/{record_id}/{digest}")

    def upload(self, record_id, data, kind="photo", filename="photo.jpg", digest=None, captured_at=None):
        form = {"file": (io.BytesIO(data), filename), "sha256": digest or sha(data), "kind": kind}
        if captured_at:
            form["captured_at"] = captured_at
        return self.client.post(f"/api/field/media/{record_id}", data=form, headers=self.headers(),
                                content_type="multipart/form-data")

    def put(self, body, client_uuid=None):
        client_uuid = client_uuid or str(uuid.uuid4())
        return self.client.put(f"/api/field/records/{client_uuid}", json=body, headers=self.headers())


@pytest.fixture
def phone(client, auth):
    return Phone(client, auth)


@pytest.fixture
def decodes(monkeypatch):
    """How many times the server decoded pixel data (Pillow's ImageFile.load): a refusal from the header is 0."""
    from PIL import ImageFile

    calls = []
    original = ImageFile.ImageFile.load

    def counting_load(self, *args, **kwargs):
        calls.append(self.size)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return calls
