"""`spotcheck programme`: the annual plans and their progress, and a jurisdiction's time limits and visit cap."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.domain import programme as rules
from webapp.faces.cli.refusals import exits_on_refusal
from webapp.stages.accounts.models import Jurisdiction
from webapp.stages.plans import limits
from webapp.stages.plans.models import AnnualPlan
from webapp.stages.publication.programme import progress


@click.group("programme")
def programme_group():
    """年度抽查计划：进度、时限与无事不扰。"""


@programme_group.command("list")
@with_appcontext
def list_command():
    """列出全部年度计划（编号、辖区、年度、文号、任务数）。"""
    for a in db.session.scalars(select(AnnualPlan).order_by(AnnualPlan.year, AnnualPlan.id)):
        click.echo(f"{a.id}\t{a.jurisdiction.code}\t{a.year}\t{a.doc_number}\t{len(a.tasks)}/{a.planned_tasks}")


@programme_group.command("progress")
@click.argument("annual_id", type=int)
@with_appcontext
def progress_command(annual_id):
    """一个年度计划的进度：每项任务和每个部门的数字与完成率、按时录入率、公示率。"""
    annual = db.session.get(AnnualPlan, annual_id)
    if annual is None:
        raise click.ClickException(f"没有第 {annual_id} 号年度计划。")
    p = progress(annual)
    head = "\t".join(["", *rules.LABELS.values(), *rules.RATES.values()])

    def line(name, f):
        return "\t".join([name, *(str(f[k]) for k in rules.FIGURES), *(rules.percent(f[k]) for k in rules.RATES)])

    click.echo(f"{annual.doc_number} {annual.title}")
    click.echo(head)
    click.echo(line("合计", p["total"]))
    for d, f in p["departments"]:
        click.echo(line(d.name, f))
    for t in p["tasks"]:
        click.echo(f"\n任务 {t['plan'].doc_number}：公示时限 {t['publication'].text}；录入超期 {t['figures']['entry_overdue']} 户")
        click.echo(line("合计", t["figures"]))
        for d, f in t["departments"]:
            click.echo(line(d.name, f))


@programme_group.command("limits")
@click.argument("code")
@click.option("--entry-days", type=int)
@click.option("--publish-days", type=int)
@click.option("--visit-cap", help="每户每年至多抽查次数；0 为不限")
@with_appcontext
@exits_on_refusal()
def limits_command(code, entry_days, publish_days, visit_cap):
    """查看或设置一个辖区（行政区划代码）的录入、公示时限和每年抽查次数上限。"""
    place = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == code))
    if place is None:
        raise click.ClickException(f"没有行政区划代码为 {code} 的辖区。")
    now = limits.of(place.id)
    if entry_days is not None or publish_days is not None or visit_cap is not None:
        cap = now.visit_cap if visit_cap is None else ("" if visit_cap == "0" else visit_cap)
        now = rules.parse_limits({"entry_days": str(entry_days if entry_days is not None else now.entry_days),
                                  "publish_days": str(publish_days if publish_days is not None else now.publish_days),
                                  "visit_cap": "" if cap is None else str(cap)})
        limits.save(place.id, now)
        db.session.commit()
    click.echo(f"{place.name}：录入 {now.entry_days} 个工作日，公示 {now.publish_days} 个工作日，"
               f"每户每年抽查上限 {now.visit_cap or '不限'}")
