"""An import preview's summaries (rows noted, rows of another jurisdiction, status changes) are kept on the batch
when its file is read and after a checksum override, equal to what its rows say; its page reads them instead of
summing a 1,000,000-row batch on every view (issue 13)."""
from sqlalchemy import select

from tests import factories
from tests.directory.helpers import csv_file, post, upload
from tests.directory.test_import_offices import code
from tests.perf.test_query_counts import statements
from webapp.core.extensions import db
from webapp.stages.accounts import jurisdictions
from webapp.stages.directory import batch_views
from webapp.stages.directory.models import ImportBatch

HEADER = ["统一社会信用代码", "企业名称", "风险等级", "登记状态", "2023年度年报"]


def _bad_checksum(good: str) -> str:
    return good[:17] + next(c for c in "0123456789" if c != good[17])


def test_the_kept_summaries_are_the_rows_and_the_page_does_not_sum_the_rows(app, client, auth):
    jurisdictions.ensure_chain(jurisdictions.HEBEI, jurisdictions.BAODING, jurisdictions.JINGXIU)
    factories.account("office")
    stored = factories.entities(2)
    db.session.commit()
    auth.login("office")
    bad = _bad_checksum(code(7))
    upload(client, "entities", csv_file(HEADER, [
        [stored[0].uscc, stored[0].name, "一般", "注销", "已年报"],  # a status change
        [stored[1].uscc, stored[1].name, "一般", "吊销", "不详"],  # a status change, noted
        [code(1, "130602"), "保定市竞秀区新开培训学校", "一般", "存续", ""],  # 不属本辖区
        [bad, "校验位有误的培训学校", "一般", "存续", "不详"],  # overridden below: then noted
    ]), "名录.csv")
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    kept = batch.views
    assert kept == batch_views.summarise(batch)
    assert (kept["noted"], kept["status_total"], len(kept["elsewhere"])) == (1, 2, 1)

    page = f"/directory/imports/{batch.id}"
    client.get(page)
    with statements() as seen:
        html = client.get(page).get_data(as_text=True)
    assert "1 行不属本辖区（属 竞秀区）" in html and "登记状态变化（2 个检查对象）" in html
    assert not [s for s in seen if "GROUP BY" in s.upper() and "import_rows" in s]

    post(client, f"{page}/override", {"line": "5", "confirm": "yes"}, page=page)
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.summary["rejected"] == 1 and batch.views == batch_views.summarise(batch)
    assert batch.views["noted"] == 2
