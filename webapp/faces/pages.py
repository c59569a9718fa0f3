"""What the pages share after a stage call: commit, say what was done, go to the next page. (A refusal never
gets here: the stage raises `Refused` and `webapp.core.errors` answers it, see `errors.back_to`.)"""
from flask import flash, redirect, url_for

from webapp.core.extensions import db


def done(message: str, endpoint: str, **kwargs):
    """Commit, flash `message` as a success, and redirect to `url_for(endpoint, **kwargs)`."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **kwargs))
