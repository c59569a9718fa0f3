"""`spotcheck draw prepare|execute|abandon|manifest` and `spotcheck verify-draw MANIFEST.json`."""
import json
import sys

import click
from flask.cli import with_appcontext

from webapp.domain import draw as algo
from webapp.faces.cli.refusals import exits_on_refusal, fail


@click.group("draw")
def draw_group():
    """抽取仪式：准备、执行、作废、导出清单。"""


def _get_draw(draw_id):
    from webapp.core.extensions import db
    from webapp.stages.draw.models import Draw

    draw = db.session.get(Draw, draw_id)
    if draw is None:
        fail(f"没有第 {draw_id} 号抽取。")
    return draw


def _ceremony(draw_id, step):
    """One step of a ceremony on an existing draw (`step(draw)`), committed; the draw for the report."""
    from webapp.core.extensions import db

    draw = _get_draw(draw_id)
    step(draw)
    db.session.commit()
    return draw


@draw_group.command("prepare")
@click.option("--plan", "plan_id", type=int, required=True, help="计划编号")
@click.option("--kind", type=click.Choice(algo.KINDS), default=algo.ENTITIES, show_default=True)
@with_appcontext
@exits_on_refusal()
def prepare_command(plan_id, kind):
    """冻结抽取总体，生成随机数并公布承诺值。输出：抽取编号和承诺值。"""
    from webapp.core.extensions import db
    from webapp.stages.draw import ceremony as service
    from webapp.stages.plans.models import Plan

    plan = db.session.get(Plan, plan_id)
    if plan is None:
        fail(f"没有第 {plan_id} 号计划。")
    draw = service.prepare(plan, kind)
    db.session.commit()
    click.echo(f"{draw.id}\t{draw.commitment}")
    click.echo(f"抽取编号 {draw.id}，总体 {draw.population_size} 个，摘要 {draw.population_digest}", err=True)


@draw_group.command("execute")
@click.argument("draw_id", type=int)
@click.option("--witness", default="", help="见证字符串（例如观察员读出的数字）")
@with_appcontext
@exits_on_refusal()
def execute_command(draw_id, witness):
    """执行已准备的抽取：公布随机数、见证字符串和种子，保存结果。"""
    from webapp.faces.cli import progress
    from webapp.stages.records import dispatch

    with progress.bar("执行抽取", unit="步") as tick:
        draw = _ceremony(draw_id, lambda d: dispatch.execute(d, witness, progress=tick))
    result = draw.outcome
    count = result["drawn"] if "drawn" in result else len(result["entities"])
    click.echo(f"第 {draw.id} 号抽取已执行：种子 {draw.seed}，结果 {count} 户。")


@draw_group.command("abandon")
@click.argument("draw_id", type=int)
@click.option("--reason", required=True, help="作废理由（公开）")
@with_appcontext
@exits_on_refusal()
def abandon_command(draw_id, reason):
    """作废一个尚未执行的抽取（必须写明理由；记录公开）。"""
    from webapp.stages.draw import ceremony as service

    draw = _ceremony(draw_id, lambda d: service.abandon(d, reason))
    click.echo(f"第 {draw.id} 号抽取已作废。")


@draw_group.command("manifest")
@click.argument("draw_id", type=int)
@with_appcontext
@exits_on_refusal()
def manifest_command(draw_id):
    """把已执行抽取的 JSON 清单写到标准输出。"""
    from webapp.stages.draw import disclosure

    for chunk in disclosure.manifest_chunks(_get_draw(draw_id)):
        click.echo(chunk, nl=False)
    click.echo()


@click.command("verify-draw")
@click.argument("manifest_file", type=click.File("rb"))
@click.option("--published", "published_source", metavar="FILE_OR_URL",
              help="抽取时公布的值：抽取公示页的摘要 JSON（公开前下载的 manifest.json），或透明日志中该抽取的叶子")
def verify_draw_command(manifest_file, published_source):
    """只凭清单重新计算抽取，逐项说明是否一致，并显示（或用 --published 核对）抽取时公布的总体摘要、承诺值和清单
    SHA-256；全部一致时退出状态为 0。"""
    from webapp.domain import manifest as published

    try:
        manifest = json.loads(manifest_file.read().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        fail(f"清单不是 UTF-8 编码的 JSON：{e}")
    if not isinstance(manifest, dict):
        fail("清单应是一个 JSON 对象。")
    if "population" not in manifest and "manifest_sha256" in manifest:
        fail("这是清单公开前的摘要（只有摘要、承诺值和种子），不是完整清单。完整清单在检查时限届满后公开；"
             "请保存这份摘要，届满后用 --published 核对。")
    checks = algo.verify(manifest)
    if published_source:
        from webapp.faces.cli.transparency import published_values

        checks += published.check_published(manifest, published_values(published_source))
    for item, ok, detail in checks:
        click.echo(f"{'✔ 一致' if ok else '✘ 不一致'}  {item}：{detail}")
    click.echo("抽取时公布、确定了本清单的值（可与公示页或透明日志中的记录对照）：")
    click.echo(f"  总体摘要        {manifest.get('population_digest')}")
    click.echo(f"  承诺值          {manifest.get('commitment')}")
    click.echo(f"  清单 SHA-256    {published.committed_sha256(manifest)}（不含各部门后来的排除记录）")
    bad = [item for item, ok, _ in checks if not ok]
    if bad:
        click.echo(f"验证未通过：{'、'.join(bad)}。")
        sys.exit(1)
    click.echo("验证通过：全部一致。")
