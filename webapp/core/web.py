"""What every page shares: template helpers and security headers."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.domain import risk, roles


def init_app(app: Flask):
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    @app.context_processor
    def globals_():
        return {"ROLES": roles, "RISK": risk}

    @app.template_filter("date")
    def format_date(value, fmt="%Y-%m-%d"):
        return value.strftime(fmt) if value else "—"

    @app.template_filter("datetime")
    def format_datetime(value):
        if not value:
            return "—"
        from datetime import timedelta, timezone

        beijing = timezone(timedelta(hours=8))
        if value.tzinfo is None:  # SQLite hands back naive UTC
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(beijing).strftime("%Y-%m-%d %H:%M")

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; worker-src 'self'; manifest-src 'self'; frame-ancestors 'none'",
        )
        return response
