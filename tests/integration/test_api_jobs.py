"""/api/v1/jobs: a token follows the background jobs of its jurisdiction, of the kinds its scopes read."""
from tests.integration.conftest import TokenClient, issue
from webapp.core.extensions import db
from webapp.core.jobs import Job
from webapp.stages.accounts import jurisdictions


def _job(kind, jurisdiction_id, **fields):
    job = Job(kind=kind, state=fields.pop("state", "done"), payload={}, done=3, total=3, attempts=1,
              jurisdiction_id=jurisdiction_id, **fields)
    db.session.add(job)
    db.session.flush()
    return job


def test_jobs_are_scoped_to_the_jurisdiction_and_the_scopes(client, placed, home):
    other = jurisdictions.ensure(*jurisdictions.JINGXIU)
    export = _job("export.results", home.id, result={"file": "exports/x.xlsx", "roles": ["office_admin"], "rows": 3})
    commit = _job("directory.import_commit", home.id, state="failed", error="第 3 行：统一社会信用代码校验位错误")
    theirs = _job("export.results", other.id)
    db.session.commit()
    _, raw = issue(("results:read",))
    api = TokenClient(client, raw)
    answer = api.get(f"/api/v1/jobs/{export.id}")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["state"] == "done" and body["percent"] == 100 and body["result"] == {"rows": 3}  # no file key
    for hidden in (commit.id, theirs.id, 999999):
        answer = api.get(f"/api/v1/jobs/{hidden}")
        assert answer.status_code == 404 and answer.get_json()["code"] == "not_found"
    listed = api.get("/api/v1/jobs").get_json()
    assert [j["id"] for j in listed["items"]] == [export.id] and listed["next_cursor"] is None

    _, raw = issue(("directory:write",))
    api = TokenClient(client, raw)
    assert [j["id"] for j in api.get("/api/v1/jobs?state=failed").get_json()["items"]] == [commit.id]
    assert api.get("/api/v1/jobs?state=finished").get_json()["code"] == "invalid_parameter"
    assert api.get(f"/api/v1/jobs/{commit.id}").get_json()["error"].startswith("第 3 行")

    _, raw = issue(("directory:read",))
    answer = TokenClient(client, raw).get("/api/v1/jobs")
    assert answer.status_code == 403 and answer.get_json()["code"] == "scope_missing"


def test_the_description_names_the_jobs(client, placed):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"/jobs", "/jobs/{job_id}"} <= set(spec["paths"]) and "Job" in spec["components"]["schemas"]
