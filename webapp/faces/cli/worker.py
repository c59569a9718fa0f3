"""`spotcheck worker`: a Celery worker for the background jobs (webapp/core/jobs.py) on JOBS_BROKER_URL."""
import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--concurrency", "-c", default=2, show_default=True, type=int, help="并发执行的任务数。")
@click.option("--loglevel", default="info", show_default=True)
@click.option("--beat", is_flag=True, help="同时运行定时任务（如 Webhook 到期重试）；只在一个任务进程上开启。")
@with_appcontext
def worker_command(concurrency, loglevel, beat):
    """启动后台任务进程（需设置 JOBS_BROKER_URL，例如 redis://127.0.0.1:6379/0）。"""
    from webapp.core import jobs

    if not current_app.config.get("JOBS_BROKER_URL"):
        raise click.ClickException("未设置 JOBS_BROKER_URL：未配置消息队列时，任务在网站进程内执行，无需单独的任务进程。")
    capp = jobs.celery(current_app._get_current_object())
    # One at a time: in the consuming process itself (solo), not handed through a pipe to one forked child.
    pool = "solo" if concurrency == 1 else "prefork"
    capp.worker_main(["worker", f"--concurrency={concurrency}", f"--pool={pool}", f"--loglevel={loglevel}", "-Q", "spotcheck",
                      "--without-gossip", "--without-mingle"] + (["--beat"] if beat else []))
