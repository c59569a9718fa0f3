"""How every command ends when it cannot do what it was asked: "错误：…" on stderr and a non-zero exit status."""
import functools
import sys
from typing import NoReturn

import click

from webapp.domain.refusal import Refused


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def exits_on_refusal(code: int = 1):
    """A command whose stage refuses (`Refused`) rolls back what it wrote and ends with `fail(reason, code)`.
    Put it under `@with_appcontext`, so that the session is there to roll back."""
    def decorate(command):
        @functools.wraps(command)
        def run(*args, **kwargs):
            try:
                return command(*args, **kwargs)
            except Refused as e:
                from webapp.core.extensions import db

                db.session.rollback()
                fail(e.message, code)
        return run
    return decorate
