"""`spotcheck import-entities|import-inspectors|import-conflicts FILE`: the same dry run and commit as the page."""
from pathlib import Path

import click
from flask.cli import with_appcontext

from webapp.faces.cli import progress
from webapp.faces.cli.refusals import exits_on_refusal, fail

BAD_INPUT = 2  # the file or the options cannot be imported as given (like click's usage errors)

ACTION_LABELS = {"create": "新增", "update": "更新", "unchanged": "无变化", "rejected": "拒绝"}


def _home(code):
    """The jurisdiction whose directory the import updates, by its GB/T 2260 code. Required once the platform has
    more than one district (or other office without one below it): without it the rows of every office would be
    written; on a one-district platform its absence keeps the old meaning (the whole directory)."""
    from sqlalchemy import func, select

    from webapp.core.extensions import db
    from webapp.stages.accounts import jurisdictions
    from webapp.stages.accounts.models import Jurisdiction

    if code:
        found = jurisdictions.by_code(code.strip())
        if found is None:
            fail(f"辖区不存在：{code}（请用 GB/T 2260 行政区划代码，如 130606）", BAD_INPUT)
        return found
    parents = select(Jurisdiction.parent_id).where(Jurisdiction.parent_id.is_not(None))
    leaves = db.session.scalar(select(func.count()).select_from(Jurisdiction).where(Jurisdiction.id.not_in(parents)))
    if leaves > 1:
        fail("平台有多个辖区：请用 --jurisdiction 行政区划代码 指定导入哪个辖区的名录（如 130606）。", BAD_INPUT)
    return None


def _run(kind, path, commit, overrides, maps, department, rejected_out, jurisdiction=None):
    from webapp.core.extensions import db
    from webapp.domain import imports
    from webapp.stages.accounts.models import Department
    from webapp.stages.directory import batch_views, importing

    mapping = {}
    for item in maps:
        header, _, field = item.partition("=")
        mapping[header.strip()] = field.strip()
    department_id = None
    if department:
        dept = db.session.query(Department).filter((Department.code == department) | (Department.name == department)).first()
        if dept is None:
            fail(f"部门不存在：{department}", BAD_INPUT)
        department_id = dept.id
    home = _home(jurisdiction) if kind == "entities" else None
    data = Path(path).read_bytes()
    batch = importing.start(kind, Path(path).name, data, department_id=department_id, mapping=mapping,
                            overrides=overrides, jurisdiction_id=home.id if home is not None else None)
    fmt = batch.file_format + (f"（{batch.encoding}）" if batch.encoding else "")
    click.echo(f"批次 {batch.id}：{batch.filename}，{fmt}" + (f"，{home.name}（{home.code}）的名录" if home else ""))
    if batch.unknown_headers:
        click.echo(f"未识别的表头（忽略，或用 --map 表头=字段 指定）：{'、'.join(batch.unknown_headers)}")
    if batch.status == "mapping":
        match = importing.header_match(batch)
        labels = importing.spec_for(batch).labels
        missing = "、".join(f"{labels[f]}（{f}）" for f in match.missing + match.duplicated)
        fail(f"缺少必需的列或列重复：{missing}。请用 --map 表头=字段 指定。", BAD_INPUT)
    counts = batch.summary
    click.echo("预览：" + "，".join(f"{label} {counts.get(a, 0)}" for a, label in ACTION_LABELS.items())
               + f"，空行 {counts.get('blank', 0)}")
    shown = importing.rows(batch, imports.REJECTED, per_page=20)
    for row in shown.items:
        click.echo(f"  第 {row.line} 行 {row.key or ''}：{row.reasons}")
    if shown.total > len(shown.items):
        click.echo(f"  ……另有 {shown.total - len(shown.items)} 行被拒绝")
    for name, n in batch_views.elsewhere(batch) if home is not None else ():
        click.echo(f"{n} 行不属本辖区（属 {name}），不会写入；导入后转给{name}双随机办。")
    if rejected_out and counts.get("rejected"):
        Path(rejected_out).write_bytes(importing.rejected_xlsx(batch))
        click.echo(f"被拒绝的行已写入 {rejected_out}（含“原因”列）")
    if not commit:
        click.echo("这是预览，未写入数据库；确认无误后加 --commit 导入。")
        return
    with progress.bar("导入") as tick:
        applied = importing.commit(batch, progress=tick)
    click.echo(f"已导入：新增 {applied['created']}，更新 {applied['updated']}。")


def _command(kind, name, help_text, with_override=False, with_department=False):
    @click.command(name, help=help_text)
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--commit", is_flag=True, help="确认导入（默认只预览）。")
    @click.option("--map", "maps", multiple=True, metavar="表头=字段", help="为未识别的表头指定字段；字段留空表示忽略。")
    @click.option("--rejected-out", type=click.Path(dir_okay=False), help="把被拒绝的行写入此 XLSX 文件。")
    @with_appcontext
    @exits_on_refusal(BAD_INPUT)
    def command(path, commit, maps, rejected_out, override_checksum=(), department=None, jurisdiction=None):
        _run(kind, path, commit, override_checksum, maps, department, rejected_out, jurisdiction)

    if with_override:
        command = click.option("--override-checksum", multiple=True, metavar="USCC",
                               help="经人工核对、校验位不符但确实有效的统一社会信用代码（记入审计）。")(command)
        command = click.option("--jurisdiction", metavar="行政区划代码",
                               help="导入哪个辖区的名录（GB/T 2260 代码，如 130606）；平台有多个区县时必填。"
                                    "其他辖区的行以“不属本辖区”拒绝，留给该辖区。")(command)
    if with_department:
        command = click.option("--department", help="只导入该部门（代码或名称）的人员。")(command)
    return command


import_entities = _command("entities", "import-entities", "导入检查对象名录（XLSX 或 CSV）。", with_override=True)
import_inspectors = _command("inspectors", "import-inspectors", "导入执法检查人员名录（XLSX 或 CSV）。", with_department=True)
import_conflicts = _command("conflicts", "import-conflicts", "导入回避关系：执法证号、统一社会信用代码、回避原因。",
                            with_department=True)
COMMANDS = (import_entities, import_inspectors, import_conflicts)
