"""A return's comment reaches the team's phones through GET /api/field/tasks (docs/field-api.md §Task, `returns`)."""
from tests.conftest import csrf_token
from tests.factories import record_for_review


def test_return_comment_reaches_the_phone_of_every_team_member(world, client, auth):
    record = record_for_review(departments=("jiaoti", "renshe"))
    auth.login("rs_review")
    token = csrf_token(client, f"/review/records/{record.id}")
    client.post(f"/review/records/{record.id}/decision",
                data={"action": "return", "comment": "请补充消防通道整改照片", "csrf_token": token})
    for username in ("jt01", "rs01"):
        auth.logout()
        auth.login(username)
        tasks = client.get("/api/field/tasks").get_json()["tasks"]
        task = next(t for t in tasks if t["record_id"] == record.id)
        assert task["status"] == "returned"
        assert [(r["comment"], r["by"]) for r in task["returns"]] == [("请补充消防通道整改照片", "人社局审核人")]
        assert task["returns"][0]["at"]
