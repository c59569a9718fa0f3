"""`spotcheck media …`: the media store from the console. `media migrate --to s3` copies what the database refers
to from the local disk (MEDIA_ROOT) to the configured S3 bucket and checks every copy by reading it back."""
import hashlib
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from webapp.core.extensions import db
from webapp.core.storage import StorageError, StorageMissing, check_key, local_storage, s3_storage
from webapp.stages.directory.models import ImportBatch
from webapp.stages.records.media import thumbnail_key
from webapp.stages.records.models import Media

HEX = set("0123456789abcdef")


def _is_content_hash(key: str) -> bool:
    return len(key) == 64 and set(key) <= HEX


def referenced_keys() -> list[tuple[str, bool]]:
    """Every key the database refers to, with whether it must exist: each medium's stored file (photos,
    signatures, seals, follow-up evidence), its thumbnail (made again when missing, so optional) and raw upload
    (optional once the derivatives are made), and each
    import batch's uploaded file. In a stable order, without repeats."""
    keys: dict[str, bool] = {}
    for stored_sha, sha256, ready in db.session.execute(
            select(Media.stored_sha, Media.sha256, Media.ready).order_by(Media.id)):
        if not ready:  # only the phone's raw bytes so far: the derivative job needs them
            keys[sha256] = True
            continue
        keys[stored_sha or sha256] = True
        keys.setdefault(thumbnail_key(sha256), False)
        keys.setdefault(sha256, False)  # the raw upload, kept (never served) since the derivatives became jobs
    for (file_sha256,) in db.session.execute(select(ImportBatch.file_sha256).order_by(ImportBatch.id)):
        if file_sha256:
            keys[file_sha256] = True
    return list(keys.items())


def _sha256_of(store, key: str) -> str:
    digest = hashlib.sha256()
    for chunk in store.iter_chunks(key):
        digest.update(chunk)
    return digest.hexdigest()


class _Progress:
    """A tqdm bar on a terminal (the counts beside it); a line every 500 items and at the end otherwise."""

    def __init__(self, total: int):
        self.total, self.tty = total, sys.stderr.isatty()
        self.bar = None
        if self.tty:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="媒体迁移", unit="个", file=sys.stderr, dynamic_ncols=True)

    def show(self, done: int, counts: dict, final: bool = False):
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
            self.bar.set_postfix_str(f"复制 {counts['copied']} 一致 {counts['present']} 缺失 {counts['missing']} "
                                     f"失败 {counts['failed']}", refresh=False)
            if not final:
                return
            self.bar.close()
        if not (final or done % 500 == 0):
            return
        line = (f"媒体迁移 {done}/{self.total}：已复制 {counts['copied']}，已存在且一致 {counts['present']}，"
                f"本地缺失 {counts['missing']}，校验失败 {counts['failed']}")
        click.echo(line, err=True)


@click.group("media")
def media_group():
    """媒体文件存储（照片、签字、印章、证据）。"""


@media_group.command("migrate")
@click.option("--to", "target", type=click.Choice(["s3"]), required=True, help="迁移目标：s3（S3_* 配置的存储桶）")
@click.option("--dry-run", is_flag=True, help="只统计将复制哪些文件，不写入。")
@click.option("--create-bucket", is_flag=True, help="存储桶不存在时先建立。")
@with_appcontext
def migrate_command(target, dry_run, create_bucket):
    """把本地 MEDIA_ROOT 中的媒体文件复制到对象存储，并逐一回读校验 SHA-256（可重复执行）。"""
    config = current_app.config
    if not config.get("S3_BUCKET"):
        raise click.ClickException("未配置 S3_BUCKET（以及 S3_ENDPOINT_URL、AWS_ACCESS_KEY_ID 等）。")
    source, dest = local_storage(config), s3_storage(config)
    try:
        if create_bucket and not dry_run and dest.ensure_bucket():
            click.echo(f"已建立存储桶 {dest.bucket}", err=True)
        keys = referenced_keys()
        progress = _Progress(len(keys))
        counts = {"copied": 0, "present": 0, "missing": 0, "failed": 0, "would_copy": 0}
        problems = []
        for done, (key, required) in enumerate(keys, start=1):
            check_key(key)
            if not source.exists(key):
                if required and not dest.exists(key):
                    counts["missing"] += 1
                    problems.append(f"本地缺失：{key}")
                progress.show(done, counts)
                continue
            local_sha = _sha256_of(source, key)
            if _is_content_hash(key) and local_sha != key:
                counts["failed"] += 1
                problems.append(f"本地文件内容与其校验值不符（已损坏？），未复制：{key}")
                progress.show(done, counts)
                continue
            if dest.exists(key):
                if _sha256_of(dest, key) == local_sha:
                    counts["present"] += 1
                    progress.show(done, counts)
                    continue
                if dry_run:
                    counts["would_copy"] += 1
                    progress.show(done, counts)
                    continue
                dest.delete(key)  # a different object under the key (an interrupted or foreign write)
            elif dry_run:
                counts["would_copy"] += 1
                progress.show(done, counts)
                continue
            with source.open(key) as f:
                dest.put_stream(f, key)
            try:
                copied_sha = _sha256_of(dest, key)
            except StorageMissing:
                copied_sha = None
            if copied_sha == local_sha:
                counts["copied"] += 1
            else:
                counts["failed"] += 1
                problems.append(f"回读校验失败：{key}")
            progress.show(done, counts)
        progress.show(len(keys), counts, final=True)
    except StorageError as e:
        raise click.ClickException(f"对象存储出错：{e}") from None
    for line in problems:
        click.echo(line, err=True)
    if dry_run:
        click.echo(f"试运行：将复制 {counts['would_copy']} 个文件，{counts['present']} 个已在 {dest.bucket} 中且一致。")
    else:
        click.echo(f"已复制 {counts['copied']} 个文件到 {dest.bucket}，{counts['present']} 个已存在且一致；"
                   f"全部经回读校验。" if not problems else f"已复制 {counts['copied']} 个文件，有 {len(problems)} 个问题。")
    if problems:
        sys.exit(1)
