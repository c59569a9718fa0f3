"""A progress bar for the long commands (directory import, draw execution, publication, media migration): tqdm on
standard error when it is a terminal; nothing otherwise, so cron mails and pipes keep only the result lines.

    with progress.bar("导入") as tick:          # tick(done, total), or None when not on a terminal
        importing.commit(batch, progress=tick)

The same `(done, total)` callback the background jobs pass as `job.progress`, so a stage reports its progress
once for both."""
import sys
from contextlib import contextmanager


def on_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def bar(description: str, unit: str = "条", total: int | None = None):
    if not on_terminal():
        yield None
        return
    from tqdm import tqdm

    with tqdm(desc=description, unit=unit, total=total, file=sys.stderr, dynamic_ncols=True, leave=True) as shown:
        def tick(done: int, total: int | None = None):
            if total is not None and shown.total != total:
                shown.total = total
            shown.update(done - shown.n)

        yield tick
