"""The demo's joint records: reviewed by all three departments, one 人社局 return answered, published per
department (issue 10 §1, Done when)."""
from sqlalchemy import select

from tests.review.joint import JIAOTI, RENSHE, WEIJIAN
from webapp.core.extensions import db
from webapp.faces.demo import results as demo_results
from webapp.stages.records.models import InspectionRecord
from webapp.stages.review.models import Amendment, ReviewEvent
from webapp.stages.review.parts import parts_of


def test_the_demo_walks_a_joint_record_through_three_departments_with_one_return(demo_command, client):
    result = demo_command
    assert result.exit_code == 0, result.output
    published = db.session.scalars(select(InspectionRecord).where(InspectionRecord.status == "published")
                                   .order_by(InspectionRecord.id)).all()
    assert len(published) == 4
    for record in published:
        parts = parts_of(record)
        assert [(p.authority, p.status) for p in parts] == [(JIAOTI, "published"), (RENSHE, "published"),
                                                            (WEIJIAN, "published")]
        deciders = {e.department.code: e.by.username for e in db.session.scalars(
            select(ReviewEvent).where(ReviewEvent.record_id == record.id, ReviewEvent.action == "approve"))}
        assert deciders == {"jiaoti": "jt_review", "renshe": "rs_review", "weijian": "wj_review"}
    returned = published[demo_results.RETURNED]
    ret = db.session.scalar(select(ReviewEvent).where(ReviewEvent.action == "return"))
    assert ret.record_id == returned.id and ret.department.code == "renshe" and ret.comment == demo_results.RETURN_COMMENT
    amendment = db.session.scalar(select(Amendment))
    assert amendment.record_id == returned.id and amendment.department_ids == [ret.department_id]
    # Categories per department on the public page: 教体局 发现问题已责令改正, the others 未发现问题.
    third = published[2]
    assert {p.department.code: p.result_codes for p in parts_of(third)} == {
        "jiaoti": ["corrected"], "renshe": ["no_problem"], "weijian": ["no_problem"]}
    html = client.get(f"/public/enterprise/{third.entity.uscc}").get_data(as_text=True)
    assert html.count("检查实施机关") == 3 and "发现问题已责令改正" in html and "未发现问题" in html
