"""An integration walks by the API alone, with one token: it imports the directory, reads the draw's manifest once
public, and reads the published results; the office's own steps (draw, review, publication) happen in between."""
import io
import json

from sqlalchemy import update

from tests import factories
from webapp.core import clock
from webapp.core.extensions import db
from webapp.domain import uscc as codes
from webapp.stages.directory.models import Entity
from webapp.stages.draw import disclosure
from webapp.stages.publication import publishing


def test_import_then_manifest_then_published_results_through_the_api(api, placed):
    year = clock.today().year
    made = [codes.complete(f"91130606MA{9000000 + i:07d}") for i in range(3)]
    lines = ["统一社会信用代码,企业名称,成立日期,年报,登记状态,风险等级,类别"] + [
        f"{c},保定市莲池区接口导入{i}号培训学校,2019-03-05,{year - 1},合格,高风险,校外培训机构"
        for i, c in enumerate(made)]
    upload = api.post("/api/v1/imports", data={"file": (io.BytesIO(
        ("\n".join(lines) + "\n").encode("utf-8")), "directory.csv")}, content_type="multipart/form-data")
    assert upload.status_code == 201, upload.json
    batch = upload.json
    assert batch["status"] == "preview" and batch["summary"].get("create") == 3
    preview = api.get(f"/api/v1/imports/{batch['id']}").json
    assert {r["key"] for r in preview["rows"]} >= set(made)
    committed = api.post(f"/api/v1/imports/{batch['id']}/commit")
    assert committed.status_code == 200 and committed.json["status"] == "committed"
    again = api.post(f"/api/v1/imports/{batch['id']}/commit")
    assert again.status_code == 422 and "预览" in again.json["error"]
    assert api.get(f"/api/v1/entities/{made[0]}").json["annual_report_years"] == [year - 1]

    # the office draws; the integration sees the summary, then the manifest once disclosed
    db.session.execute(update(Entity).values(jurisdiction_id=placed.current.jurisdiction_id))
    db.session.commit()
    draw = factories.entity_draw(placed.current)
    draws = api.get(f"/api/v1/draws?plan={placed.current.id}").json["items"]
    assert [d["id"] for d in draws] == [draw.id]
    assert api.get(f"/api/v1/draws/{draw.id}/manifest").json["manifest"] is None
    disclosure.disclose(draw, "本地规定：抽取后即公开名单。", factories.get_user("office"))
    db.session.commit()
    manifest = api.get(f"/api/v1/draws/{draw.id}/manifest").json
    assert manifest["disclosed"] is True
    text = json.dumps(manifest["manifest"])
    assert all(code in text for code in made)  # 高风险: drawn at 100 %

    # the office publishes one; the integration reads it per department
    target = db.session.query(Entity).filter_by(uscc=made[0]).one()
    publishing.publish([factories.approved_record(placed.current, target)], factories.get_user("office"))
    db.session.commit()
    results = api.get("/api/v1/results").json["items"]
    assert {r["uscc"] for r in results} == {made[0]}
    assert {r["authority"] for r in results} == {d.department.name for d in placed.current.departments}
    dept = placed.current.departments[0].department_id
    assert len(api.get(f"/api/v1/results?department={dept}").json["items"]) == 1
