"""What the pages share after a stage call: commit, say what was done, go to the next page. (A refusal never
gets here: the stage raises `Refused` and `webapp.core.errors` answers it, see `errors.back_to`.)"""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from webapp.core import errors
from webapp.core.extensions import db
from webapp.stages.accounts import jurisdictions


def done(message: str, endpoint: str, **kwargs):
    """Commit, flash `message` as a success, and redirect to `url_for(endpoint, **kwargs)`."""
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(endpoint, **kwargs))


def runs_here(obj) -> bool:
    """Whether the signed-in user runs `obj` (a plan, record, draw, account, inspector…): its own jurisdiction's
    office does; a city reads a district's rows, so their pages show it no write controls (the POST answers 403
    anyway). A template global of every page (registered by `faces.home`)."""
    return jurisdictions.runs(current_user, jurisdictions.owner_of(obj))


def made_once(make):
    """For a page that shows what a POST made once only (an API token, a webhook's secret): on a POST, `make()`
    committed (a refusal back to this page), on a GET None. The CSRF token is CSRFProtect's, as every form's."""
    if request.method != "POST":
        return None
    errors.back_to(request.path)
    made = make()
    db.session.commit()
    return made
