"""The transparency log and the audit chain on the command line: `spotcheck log-sign` (daily, from cron),
`log-export FILE`, `verify-log URL_OR_FILE`, `log-mirror URL DIR`, `verify-audit`.

verify-log and log-mirror are `webapp.domain.logverify` (standard library and cryptography only), which anyone
can also run on its own: `python logverify.py URL`."""
import sys

import click
from flask.cli import with_appcontext

from webapp.domain import logmirror, logverify
from webapp.faces.cli.refusals import fail


@click.command("log-sign")
@with_appcontext
def log_sign_command():
    """每日签名（cron）：记入检查时限届满的抽取清单公开、内部审计链的链头，并签名树头。"""
    from webapp.core import audit, ledger
    from webapp.core.extensions import db
    from webapp.stages.draw import disclosure

    disclosed = disclosure.log_due_disclosures()
    chain = audit.head()
    ledger.record_act("audit.head", "audit", chain, **chain)
    db.session.flush()
    head = ledger.sign_head()
    db.session.commit()
    head = head or ledger.latest_head()
    for draw in disclosed:
        click.echo(f"第 {draw.id} 号抽取：检查时限已届满，清单公开已记入日志。")
    click.echo(f"审计链：{chain['events']} 条，链头 {chain['head']}")
    click.echo(f"树头：size={head.size} root={head.root} at={ledger.stamp(head.at)}")


@click.command("log-export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def log_export_command(path):
    """把透明日志导出为 JSON Lines 文件（公钥、全部树头和一致性证明，然后每行一个叶子），供 verify-log 离线验证。"""
    from webapp.core import ledger

    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for line in ledger.export_lines():
            f.write(line)
            n += 1
    click.echo(f"已导出 {max(0, n - 1)} 个叶子到 {path}")


@click.command("verify-log")
@click.argument("url_or_file")
def verify_log_command(url_or_file):
    """验证透明日志（网址或 log-export 文件）：树头签名、叶子哈希、重算的树、相邻树头的一致性。全部成立时退出状态为 0。"""
    try:
        result = logverify.verify(logverify.source(url_or_file), report=click.echo)
    except logverify.Problem as e:
        click.echo(f"✘ 验证未通过：{e}")
        sys.exit(1)
    click.echo(f"验证通过：日志 {result['size']} 个叶子，最新树头的根 {result['root']}。")


@click.command("log-mirror")
@click.argument("url")
@click.argument("directory", type=click.Path(file_okay=False))
def log_mirror_command(url, directory):
    """保存透明日志的本地副本并追加新叶子；服务器的新树头与本地保存的不一致（历史被改写）时报警，退出状态 3。"""
    try:
        logmirror.mirror(logverify.Server(logverify.http_fetch(url)), directory, report=click.echo)
    except logverify.Alarm as e:
        click.echo(f"🚨 {e}", err=True)
        sys.exit(3)
    except logverify.Problem as e:
        click.echo(f"✘ {e}", err=True)
        sys.exit(1)


@click.command("verify-audit")
@with_appcontext
def verify_audit_command():
    """逐条验证内部审计记录的哈希链，指出第一处断裂。全部成立时退出状态为 0。"""
    from webapp.core import audit

    count, head, broken = audit.verify_chain()
    if broken:
        event_id, why = broken
        click.echo(f"✘ 审计链在第 {event_id} 号审计记录处断裂（此前 {count} 条完好）：{why}")
        sys.exit(1)
    click.echo(f"✔ 审计链完好：{count} 条，链头 {head}")


COMMANDS = (log_sign_command, log_export_command, verify_log_command, log_mirror_command, verify_audit_command)


def published_values(source: str) -> dict:
    """What was public at the draw, from a file or URL: the draw's public summary (…/manifest.json before the
    disclosure) or a leaf body of the transparency log."""
    import json
    import urllib.request

    try:
        if source.startswith(("http://", "https://")):
            with urllib.request.urlopen(source, timeout=60) as response:
                data = response.read()
        else:
            with open(source, "rb") as f:
                data = f.read()
        value = json.loads(data)
    except (OSError, ValueError) as e:
        fail(f"读不了抽取时公布的值（{source}）：{e}")
    if isinstance(value, dict) and isinstance(value.get("body"), str):  # a leaf as /transparency/leaves gives it
        value = json.loads(value["body"])
    if not isinstance(value, dict):
        fail("抽取时公布的值应是一个 JSON 对象。")
    return value
