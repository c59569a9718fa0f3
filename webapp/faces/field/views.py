"""Thin views of the field app: the shell (also for /checkin/<token>), the manifest, the working-day calendar
the phone counts its sync deadline with, and the service worker served from the site root."""
from datetime import timedelta

from flask import Blueprint, Response, jsonify, render_template

from webapp.core import clock
from webapp.faces.field import shell
from webapp.stages.plans.calendar import current_calendar

bp = Blueprint("field", __name__)

CALENDAR_BACK_DAYS = 60
CALENDAR_AHEAD_DAYS = 120


def _shell():
    response = Response(render_template(shell.SHELL_TEMPLATE, scripts=shell.scripts(), asset=shell.asset_url))
    # Always revalidate: the worker holds the versioned copy, the network one must never be stale.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/field/")
@bp.get("/field/<path:route>")
def app_shell(route=""):
    """Every page of the field app is the same shell; the route is read by the page script."""
    return _shell()


@bp.get("/checkin/<token>")
def checkin(token):
    """The enterprise's 扫码入企 poster points here; the page matches the token against the user's tasks."""
    return _shell()


@bp.get("/field/manifest.webmanifest")
def manifest():
    icon = lambda size, purpose: {  # noqa: E731
        "src": shell.asset_url(f"field/icons/icon-{'maskable-' if purpose == 'maskable' else ''}{size}.png"),
        "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose,
    }
    body = {
        "id": shell.SHELL_URL,
        "name": "双随机联合抽查 · 现场检查",
        "short_name": "现场检查",
        "description": "“双随机、一公开”联合抽查一企一表现场填报，可离线使用",
        "lang": "zh-CN",
        "start_url": shell.SHELL_URL,
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f5f7",
        "theme_color": "#b3261e",
        # Declared apart: the maskable pictures keep the mark inside the safe zone, the others fill their square.
        "icons": [icon(192, "any"), icon(512, "any"), icon(192, "maskable"), icon(512, "maskable")],
    }
    response = jsonify(body)
    response.mimetype = "application/manifest+json"
    return response


@bp.get("/field/calendar.json")
def calendar():
    """Working days around today as a string of 1/0 from `start`; the phone counts the sync deadline with it.

    Public data (the statutory calendar plus the office's overrides). `provisional` lists the days guessed
    as Monday–Friday because the calendar package does not cover their year."""
    cal = current_calendar()
    start = clock.today() - timedelta(days=CALENDAR_BACK_DAYS)
    flags, provisional = [], []
    for n in range(CALENDAR_BACK_DAYS + CALENDAR_AHEAD_DAYS + 1):
        day = start + timedelta(days=n)
        works, guessed = cal.is_workday(day)
        flags.append("1" if works else "0")
        if guessed:
            provisional.append(day.isoformat())
    return jsonify(start=start.isoformat(), days="".join(flags), provisional=provisional)


@bp.get("/sw.js")
def service_worker():
    """The worker source with its precache list and version filled in from the real asset files."""
    import json

    source = shell.worker_source_path().read_text(encoding="utf-8")
    source = source.replace('"__VERSION__"', json.dumps(shell.version()))
    source = source.replace("[/*__PRECACHE__*/]", json.dumps(shell.precache_list()))
    # The worker imports this version's modules, under the same versioned URLs as the pages.
    source = source.replace('from "/static/field/', f'from "{shell.asset_url("field/")}')
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


