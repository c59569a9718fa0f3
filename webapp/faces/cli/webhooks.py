"""`spotcheck webhooks retry`: sends again the webhook deliveries whose retry is due (the same sweep the web
process or Celery beat runs every minute; for cron where neither runs)."""
import click
from flask.cli import with_appcontext

from webapp.core.extensions import db


@click.group("webhooks")
def webhooks_group():
    """Webhook 推送。"""


@webhooks_group.command("retry")
@with_appcontext
def retry_command():
    """重新发送到期重试的 Webhook 推送。"""
    from webapp.stages.integration import webhooks

    count = webhooks.retry_due()
    db.session.commit()
    click.echo(f"已安排 {count} 条到期的推送重新发送。")
