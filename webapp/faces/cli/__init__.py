"""The `spotcheck` console command: a Flask CLI group, so `flask --app webapp …` offers the same commands."""
import click
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from webapp import create_app
from webapp.faces.cli.refusals import exits_on_refusal


def init_app(app):
    from webapp.faces.cli.draw import draw_group, verify_draw_command
    from webapp.faces.cli.transparency import COMMANDS as LOG_COMMANDS

    for command in (draw_group, verify_draw_command, *LOG_COMMANDS):
        app.cli.add_command(command)
    from webapp.faces.cli.directory import COMMANDS as DIRECTORY_COMMANDS
    from webapp.faces.cli.publication import publish_command

    for command in (demo, plans, create_user_command, *DIRECTORY_COMMANDS, publish_command):
        app.cli.add_command(command)
    from webapp.faces.cli.programme import programme_group

    app.cli.add_command(programme_group)
    from webapp.faces.cli.media import media_group
    from webapp.faces.cli.prune import prune_command

    media_group.add_command(prune_command)
    app.cli.add_command(media_group)
    from webapp.faces.cli.webhooks import webhooks_group
    from webapp.faces.cli.worker import worker_command

    app.cli.add_command(worker_command)
    app.cli.add_command(webhooks_group)


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main():
    """双随机、一公开 联合抽查系统（spotcheck）。"""


@click.command()
@click.option("--no-serve", is_flag=True, help="只建立演示数据库，不启动服务。")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def demo(no_serve, host, port):
    """建立全新的演示数据库（2023 年莲池区方案等），并启动服务。"""
    from flask import current_app
    from werkzeug.serving import run_simple

    from webapp.core import database
    from webapp.faces import demo as demo_data
    from webapp.faces.demo import results as demo_results

    database.recreate()
    made = demo_data.load()
    published = demo_results.run(made["plans"][1])
    click.echo(f"演示数据库已建立：{current_app.config['SQLALCHEMY_DATABASE_URI']}")
    for plan in made["plans"]:
        click.echo(f"  计划 {plan.id}：{plan.doc_number} {plan.title}")
    click.echo(f"  已公示 {len(published)} 份检查结果（公众查询：/public/）")
    click.echo(f"演示账号（密码均为 {made['password']}）：{', '.join(made['accounts'])}")
    if no_serve:
        return
    click.echo(f"访问 http://{host}:{port}/ （Ctrl+C 退出）")
    # Not app.run(): Flask ignores it inside its own CLI.
    run_simple(host, port, current_app._get_current_object(), threaded=True)


@click.command("plans")
@with_appcontext
def plans():
    """列出计划：编号、文号、标题，以制表符分隔。"""
    from webapp.core.extensions import db
    from webapp.stages.plans.models import Plan

    for plan in db.session.scalars(select(Plan).order_by(Plan.id)):
        click.echo(f"{plan.id}\t{plan.doc_number}\t{plan.title}")


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--name", "full_name", required=True, help="姓名")
@click.option("--role", "role_codes", multiple=True, required=True,
              type=click.Choice(["office_admin", "dept_admin", "inspector", "expert", "reviewer"]))
@click.option("--department", help="部门代码，例如 jiaoti")
@click.option("--phone")
@click.option("--certificate", help="执法证号：关联执法人员名录库中的条目")
@click.option("--jurisdiction", "jurisdiction_code", help="辖区代码（GB/T 2260），默认 130606 莲池区")
@click.password_option(help="密码（至少 8 位）；不给出时交互输入")
@with_appcontext
@exits_on_refusal()
def create_user_command(username, full_name, role_codes, department, phone, certificate, jurisdiction_code,
                        password):
    """创建用户账号。"""
    from webapp.core import audit
    from webapp.core.extensions import db
    from webapp.domain.refusal import Refused
    from webapp.stages.accounts import jurisdictions
    from webapp.stages.directory.accounts import create_user

    where = jurisdictions.by_code(jurisdiction_code) if jurisdiction_code else jurisdictions.default()
    if where is None:
        raise Refused(f"辖区代码“{jurisdiction_code}”不存在。")
    user = create_user(username, full_name, password, role_codes, department, phone, certificate,
                       jurisdiction_id=where.id)
    db.session.flush()
    audit.record("user.create", user, username=user.username, roles=sorted(user.roles), via="cli")
    db.session.commit()
    click.echo(f"已创建用户 {user.username}（{'、'.join(user.role_labels)}）")
