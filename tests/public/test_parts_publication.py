"""Publication per department (谁抽查、谁录入、谁公示): each part under its own 检查实施机关, on /v/<token> and the
enterprise's page; withdrawal per part; a leaf of the transparency log per part published or withdrawn."""
import hashlib
import json

from sqlalchemy import select

from tests.conftest import csrf_token
from tests.factories import approved_record, current_plan, department, directory_entities
from tests.review.joint import JIAOTI, RENSHE, WEIJIAN, decide, decide_as, joint_record, part, publish, statuses
from webapp.core import ledger
from webapp.core.extensions import db
from webapp.domain import merkle
from webapp.stages.publication import publishing
from webapp.stages.publication.models import PublicationWithdrawal


def test_a_parts_publication_appears_with_its_authority_on_the_verification_page(world, client, auth):
    record = joint_record()
    decide_as(auth, client, "rs_review", record, "approve")
    auth.login("office")
    publish(client, record, "renshe")
    auth.logout()
    html = client.get(f"/v/{record.token}").get_data(as_text=True)
    renshe = html[html.index(f'<h3 class="part-name">{RENSHE}'):]
    renshe = renshe[:renshe.index("</li>")]
    assert "检查实施机关" in renshe and f"<dd>{RENSHE}</dd>" in renshe and "公示日期" in renshe
    assert "未发现问题" in renshe
    jiaoti = html[html.index(f'<h3 class="part-name">{JIAOTI}'):]
    jiaoti = jiaoti[:jiaoti.index("</li>")]
    assert "待该部门审核后公示" in jiaoti and "检查实施机关" not in jiaoti and "未发现问题" not in jiaoti
    assert "部分部门已公示" in html and "查看该单位全部公示结果" in html
    assert client.get(f"/public/enterprise/{record.entity.uscc}").status_code == 200
    assert part(record, "renshe").authority == RENSHE


def test_each_part_published_or_withdrawn_is_a_leaf_of_the_log_with_a_signed_head(world, client, auth):
    record = approved_record(current_plan(), directory_entities(1)[0])  # as review left it: every part approved
    publishing.publish([record])
    db.session.commit()
    leaves = db.session.scalars(select(ledger.LogLeaf).where(ledger.LogLeaf.kind == "result.published")
                                .order_by(ledger.LogLeaf.index)).all()
    assert [leaf.ref for leaf in leaves] == [f"record:{record.token}:{code}" for code in ("jiaoti", "renshe", "weijian")]
    body = json.loads(leaves[0].body)
    assert body["authority"] == JIAOTI and body["department"] == "jiaoti" and body["result_codes"] == ["no_problem"]
    document = publishing.public_document(record, part(record, "jiaoti"))
    assert body["document_sha256"] == hashlib.sha256(ledger.canonical(document)).hexdigest()
    assert record.findings_hash not in leaves[0].body  # the public fields only
    head = ledger.latest_head()
    assert head.size == ledger.size() and bytes.fromhex(head.root) == ledger.root(head.size)
    assert leaves[0].leaf_hash == merkle.leaf_hash(leaves[0].body.encode()).hex()

    auth.login("office")
    page = f"/publication/plans/{record.plan_id}"
    html = client.post(f"/publication/records/{record.id}/withdraw", follow_redirects=True, data={
        "csrf_token": csrf_token(client, page), "reason": "人社局结果类别录入有误。",
        "department_id": str(department("renshe").id)}).get_data(as_text=True)
    assert f"已撤回“{record.entity.name}”的公示（{RENSHE}）" in html
    assert statuses(record) == {"jiaoti": "published", "renshe": "withdrawn", "weijian": "published"}
    withdrawn = db.session.scalar(select(ledger.LogLeaf).where(ledger.LogLeaf.kind == "result.withdrawn"))
    assert withdrawn.ref == f"record:{record.token}:renshe" and "人社局结果类别录入有误" in withdrawn.body
    assert ledger.latest_head().size == ledger.size()
    w = db.session.scalar(select(PublicationWithdrawal))
    assert w.department.code == "renshe"
    auth.logout()
    # The other departments' results stay public; 人社局's says it was withdrawn.
    html = client.get(f"/public/enterprise/{record.entity.uscc}").get_data(as_text=True)
    renshe = html[html.index(f'<h3 class="part-name">{RENSHE}'):]
    assert "公示已撤回，重新审核中" in renshe[:renshe.index("</li>")]
    assert html.count("检查实施机关") == 2 and WEIJIAN in html
    # The withdrawn part is back in 人社局's queue; re-approved, it is published again.
    auth.login("rs_review")
    assert record.entity.name in client.get("/review/").get_data(as_text=True)
    assert decide(client, record, "approve").status_code == 302
    auth.logout()
    auth.login("office")
    publish(client, record)
    assert statuses(record) == {"jiaoti": "published", "renshe": "published", "weijian": "published"}
