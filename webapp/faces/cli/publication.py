"""`spotcheck publish --plan ID`: publish every approved record of a plan from the command line."""
import click
from flask.cli import with_appcontext

from webapp.faces.cli import progress
from webapp.faces.cli.refusals import exits_on_refusal, fail


@click.command("publish")
@click.option("--plan", "plan_id", required=True, type=int, help="计划编号（见 spotcheck plans）")
@with_appcontext
@exits_on_refusal()
def publish_command(plan_id):
    """公示计划中所有审核通过的检查表（一公开）。"""
    from webapp.core.extensions import db
    from webapp.stages.plans.models import Plan
    from webapp.stages.publication import publishing

    plan = db.session.get(Plan, plan_id)
    if plan is None:
        fail(f"计划 {plan_id} 不存在。")
    records = publishing.approved_records(plan)
    if not records:
        click.echo(f"计划 {plan_id} 没有待公示（审核通过）的检查表。")
        return
    with progress.bar("公示", unit="份") as tick:
        publishing.publish(records, via="cli", progress=tick)
        db.session.commit()
    deadline = publishing.publication_deadline(plan)
    click.echo(f"已公示 {len(records)} 份检查表（计划 {plan.doc_number}；公示期限 {deadline.due.isoformat()}"
               f"{'，按推算日历' if deadline.provisional else ''}）。")
