"""`spotcheck media prune`: uploads that are not part of their record (not named by its signed findings, issue 10
§4), deleted with their files after a grace period counted from the record's submission."""
from datetime import timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from webapp.core import clock
from webapp.core.extensions import db
from webapp.stages.field import uploads
from webapp.stages.publication.models import FollowUpTask
from webapp.stages.records.models import Media
from webapp.stages.review.models import Amendment


def amendment_media_ids() -> set[int]:
    """The 补拍照片 that 补充说明 carry: part of their record, never pruned."""
    keep = set()
    for record_id, photos in db.session.execute(select(Amendment.record_id, Amendment.photos)
                                                .where(Amendment.photos.is_not(None))):
        if photos:
            keep |= set(db.session.scalars(select(Media.id).where(Media.record_id == record_id,
                                                                  Media.sha256.in_(photos))))
    return keep


@click.command("prune")
@click.option("--older-than-days", "days", type=click.IntRange(min=0), default=30, show_default=True,
              help="宽限期：记录提交满多少天后清理未被签字内容引用的上传图片。")
@click.option("--dry-run", is_flag=True, help="只统计将删除哪些图片，不删除。")
@with_appcontext
def prune_command(days, dry_run):
    """删除已提交记录中未被签字检查结果引用的上传图片（数据库记录与存储文件）。"""
    older_than = clock.utcnow() - timedelta(days=days)
    keep = set(db.session.scalars(select(FollowUpTask.evidence_media_id)
                                  .where(FollowUpTask.evidence_media_id.is_not(None))))
    keep |= amendment_media_ids()
    done = uploads.prune(older_than, keep_ids=keep, dry_run=dry_run)
    size = f"{done['bytes'] / 1024 / 1024:.1f} MB"
    if dry_run:
        click.echo(f"试运行：将删除 {done['records']} 份记录中未被引用的 {done['media']} 张图片（{size}）。")
    else:
        click.echo(f"已删除 {done['records']} 份记录中未被引用的 {done['media']} 张图片（{size}），"
                   f"存储文件 {done['files']} 个。")
