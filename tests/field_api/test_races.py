"""Two phones of one team sending the same record at the same moment: exactly one is stored."""
import threading
import uuid

from sqlalchemy import func, select

from webapp.core.extensions import db
from webapp.stages.field.models import FieldSubmission
from webapp.stages.records.models import InspectionRecord

from .conftest import Phone, sha, signature_png, submission


def _race(app, auth_cls, dispatched, same_uuid: bool):
    phones = []
    for username in ("jt01", "jt02"):
        client = app.test_client()
        with app.app_context():  # a context of its own: Flask-Login keeps the user on `g`
            phones.append(Phone(client, auth_cls(client)).login(username))
    signature = signature_png()
    with app.app_context():
        assert phones[0].upload(dispatched.record.id, signature, kind="signature").status_code == 201
    body = submission(dispatched.record, signature=sha(signature))
    ids = [str(uuid.uuid4())] * 2 if same_uuid else [str(uuid.uuid4()), str(uuid.uuid4())]
    barrier = threading.Barrier(2)
    answers = [None, None]

    def send(i):
        with app.app_context():
            barrier.wait()
            response = phones[i].put(body, ids[i])
            answers[i] = (response.status_code, response.get_json())
            db.session.remove()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return body, answers


def test_two_uuids_at_once_store_one_and_the_other_hears_409(app, dispatched):
    from tests.conftest import Auth

    body, answers = _race(app, Auth, dispatched, same_uuid=False)
    assert sorted(a[0] for a in answers) == [201, 409], answers
    conflict = next(a[1] for a in answers if a[0] == 409)
    assert conflict["server_hash"] == body["findings_hash"]
    assert db.session.scalar(select(func.count()).select_from(FieldSubmission)) == 1
    db.session.expire_all()
    assert db.session.get(InspectionRecord, dispatched.record.id).status == "submitted"


def test_the_same_uuid_twice_at_once_gets_the_same_answer(app, dispatched):
    from tests.conftest import Auth

    body, answers = _race(app, Auth, dispatched, same_uuid=True)
    assert sorted(a[0] for a in answers) == [200, 201], answers
    assert answers[0][1] == answers[1][1]
    assert db.session.scalar(select(func.count()).select_from(FieldSubmission)) == 1
