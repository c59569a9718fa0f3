"""`spotcheck import-entities --jurisdiction CODE` (issue 12 §2): the command line imports one office's directory,
like the page; rows of another district are refused 不属本辖区, left untouched and kept for that district's office;
with more than one district the option is required."""
from sqlalchemy import select

from tests import factories
from tests.directory.helpers import csv_file
from webapp.core.extensions import db
from webapp.domain import roles, uscc
from webapp.stages.accounts import jurisdictions
from webapp.stages.directory.models import Entity, ImportBatch

HEADER = ["统一社会信用代码", "企业名称", "住所", "成立日期", "风险等级", "类别", "登记状态"]


def code(n: int, division: str) -> str:
    return uscc.complete(f"91{division}MC{n:07d}")


def entity_of(c) -> Entity | None:
    return db.session.scalar(select(Entity).where(Entity.uscc == c))


def line(c, name, address):
    return [c, name, address, "2019-03-05", "一般", "校外培训机构", "存续"]


def test_the_command_imports_one_jurisdiction_and_keeps_the_others_rows_for_their_office(
        app, runner, client, auth, tmp_path):
    jingxiu = jurisdictions.ensure_chain(jurisdictions.HEBEI, jurisdictions.BAODING, jurisdictions.JINGXIU)
    lianchi = jurisdictions.default()
    theirs = factories.entity(uscc=code(1, "130602"), name="保定市竞秀区未来培训学校", status="存续",
                              address="河北省保定市竞秀区东风路2号")
    ours = factories.entity(status="存续")
    jx_office = factories.user("jx_office", (roles.OFFICE_ADMIN,), full_name="竞秀区双随机办")
    jx_office.jurisdiction = jingxiu
    db.session.commit()
    path = tmp_path / "名录.csv"
    path.write_bytes(csv_file(HEADER, [
        line(ours.uscc, "保定市莲池区新名称培训学校", "河北省保定市莲池区裕华西路1号"),
        line(theirs.uscc, "莲池区改写的名称", "河北省保定市竞秀区东风路2号"),
        line(code(2, "130602"), "保定市竞秀区新开培训学校", "河北省保定市竞秀区朝阳大街3号"),
        line(code(3, "130606"), "保定市莲池区新开培训学校", "河北省保定市莲池区东风路9号"),
    ]))

    # Two districts: which directory must be said, and an unknown code is refused, both writing nothing.
    before = db.session.scalar(select(ImportBatch.id).order_by(ImportBatch.id.desc()))
    result = runner.invoke(args=["import-entities", str(path), "--commit"])
    assert result.exit_code == 2 and "--jurisdiction" in result.output, result.output
    result = runner.invoke(args=["import-entities", str(path), "--commit", "--jurisdiction", "139999"])
    assert result.exit_code == 2 and "辖区不存在：139999" in result.output, result.output
    assert db.session.scalar(select(ImportBatch.id).order_by(ImportBatch.id.desc())) == before

    result = runner.invoke(args=["import-entities", str(path), "--jurisdiction", "130606"])
    assert result.exit_code == 0, result.output
    assert "莲池区（130606）的名录" in result.output and "新增 1" in result.output and "更新 1" in result.output
    assert "拒绝 2" in result.output and result.output.count("：不属本辖区（属 竞秀区）") == 2
    assert "2 行不属本辖区（属 竞秀区），不会写入" in result.output
    result = runner.invoke(args=["import-entities", str(path), "--jurisdiction", "130606", "--commit"])
    assert result.exit_code == 0 and "已导入：新增 1，更新 1" in result.output, result.output
    batch = db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))
    assert batch.jurisdiction_id == lianchi.id and batch.status == "committed"

    db.session.expire_all()
    untouched = entity_of(theirs.uscc)
    assert (untouched.name, untouched.jurisdiction_id) == ("保定市竞秀区未来培训学校", jingxiu.id)
    assert entity_of(code(2, "130602")) is None
    assert entity_of(ours.uscc).name == "保定市莲池区新名称培训学校"
    assert entity_of(code(3, "130606")).jurisdiction_id == lianchi.id

    # The refused rows wait for 竞秀区's office, as a web import's do.
    auth.login("jx_office")
    page = client.get("/directory/imports/new/entities").get_data(as_text=True)
    assert "他辖区转来" in page and f"莲池区 · 批次 {batch.id} · 2 行" in page
    listed = client.get(f"/directory/imports/{batch.id}/forwarded").get_data(as_text=True)
    assert theirs.uscc in listed and code(2, "130602") in listed and ours.uscc not in listed

    # 竞秀区's own import by the command line writes its entity.
    result = runner.invoke(args=["import-entities", str(path), "--jurisdiction", "130602", "--commit"])
    assert result.exit_code == 0 and "已导入：新增 1，更新 1" in result.output, result.output
    db.session.expire_all()
    assert entity_of(theirs.uscc).name == "莲池区改写的名称"
    assert entity_of(code(2, "130602")).jurisdiction_id == jingxiu.id


def test_a_one_district_platform_imports_without_the_option_as_before(app, world, runner, tmp_path):
    path = tmp_path / "名录.csv"
    path.write_bytes(csv_file(HEADER, [line(code(7, "130606"), "保定市莲池区另一培训学校", "河北省保定市莲池区1号")]))
    result = runner.invoke(args=["import-entities", str(path), "--commit"])
    assert result.exit_code == 0 and "已导入：新增 1" in result.output, result.output
