"""What every page shares: template helpers and security headers."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.core import clock
from webapp.domain import risk, roles, status


def init_app(app: Flask):
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    @app.context_processor
    def globals_():
        # STATUS.PUBLISHED etc. for comparisons; `| status_label` for the Chinese label of a stored status.
        return {"ROLES": roles, "RISK": risk, "STATUS": status.RecordStatus}

    app.add_template_filter(status.label, "status_label")

    @app.template_filter("date")
    def format_date(value, fmt="%Y-%m-%d"):
        return value.strftime(fmt) if value else "—"

    @app.template_filter("datetime")
    def format_datetime(value):
        """A stored moment (UTC; naive from SQLite) as Beijing time."""
        return clock.in_beijing(value).strftime("%Y-%m-%d %H:%M") if value else "—"

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
