"""A gunicorn configuration for `sync_rush.py --ceiling`: what the request path would allow if the three pieces of
work a sync request does besides storing the record and its pictures cost nothing at all.

In each web worker, once the app is loaded: no audit event is written (`core.audit.record` keeps nothing), the
dashboard's kept counts are not refreshed at the commit (`publication.dashboard_counts._commit` is unhooked) and
no webhook subscription is looked up (`integration.webhooks._listening` finds none). Never for a real server:
the audit chain, the dashboard and the subscribers all lose what these requests did. It measures how far
moving that work out of the request (into jobs, batched) could go, without writing the jobs first: their own
cost is not counted here, so the figures are an upper bound.

    GUNICORN_CMD_ARGS="-c python:benchmarks.sync_rush_ceiling" (sync_rush.py --ceiling sets it)
    SYNC_RUSH_CEILING=audit,dashboard,webhooks (the default; name fewer to cost one piece at a time)
"""
import os


def post_worker_init(worker):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from webapp.core import audit
    from webapp.stages.integration import webhooks
    from webapp.stages.publication import dashboard_counts

    parts = set(os.environ.get("SYNC_RUSH_CEILING", "audit,dashboard,webhooks").split(","))
    if "audit" in parts:
        audit.record = lambda *args, **kwargs: None
    if "dashboard" in parts and event.contains(Session, "before_commit", dashboard_counts._commit):
        event.remove(Session, "before_commit", dashboard_counts._commit)
    if "webhooks" in parts:
        webhooks._listening = lambda: ([], {})
    worker.log.warning(f"sync_rush --ceiling: none of {sorted(parts)} in this worker")
