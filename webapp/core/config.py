"""Configuration from the environment, with safe defaults for the embedded mode (SQLite, local disk)."""
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder (0600)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = instance_path / "secret_key"
    if not path.exists():
        # Written whole under another name, then linked into place: of processes starting at once on a fresh
        # instance folder (two test or gunicorn workers), the first link wins, none reads a half-written key.
        fd, written = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
            os.link(written, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(written)
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// forms and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load(instance_path: str) -> dict:
    instance = Path(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    https = os.environ.get("SPOTCHECK_HTTPS", "").lower() in ("1", "true", "yes")
    return {
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'spotcheck.db'}"
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT") or str(instance / "media"),
        # Media: the local disk (MEDIA_ROOT) by default; MEDIA_BACKEND=s3 for S3-compatible object storage
        # (webapp/core/storage.py). Credentials: boto3's usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
        "MEDIA_BACKEND": (os.environ.get("MEDIA_BACKEND") or "local").strip().lower(),
        "S3_ENDPOINT_URL": os.environ.get("S3_ENDPOINT_URL", ""),
        "S3_BUCKET": os.environ.get("S3_BUCKET", ""),
        "S3_REGION": os.environ.get("S3_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        "S3_ADDRESSING": (os.environ.get("S3_ADDRESSING") or "auto").strip().lower(),  # auto | path | virtual
        "S3_PREFIX": os.environ.get("S3_PREFIX", ""),
        "S3_CONNECT_TIMEOUT": float(os.environ.get("S3_CONNECT_TIMEOUT", "3")),
        "S3_READ_TIMEOUT": float(os.environ.get("S3_READ_TIMEOUT", "20")),
        "S3_MAX_ATTEMPTS": int(os.environ.get("S3_MAX_ATTEMPTS", "3")),
        # The transparency log's Ed25519 signing key: a PEM, or the path of one (core/ledger.py); else one is made
        # once and kept in the instance folder.
        "LOG_SIGNING_KEY": os.environ.get("LOG_SIGNING_KEY", ""),
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # a form opened on site may be sent hours later
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        # 在本机保持登录: at most 30 days (the server-side session ends then too: stages/accounts/sessions.py).
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCK_MINUTES": int(os.environ.get("LOGIN_LOCK_MINUTES", "15")),
        # Assignment checks on a public credential page, per hour: per credential, and per address.
        "CREDENTIAL_CHECKS_PER_HOUR": int(os.environ.get("CREDENTIAL_CHECKS_PER_HOUR", "10")),
        "CREDENTIAL_CHECKS_PER_ADDRESS": int(os.environ.get("CREDENTIAL_CHECKS_PER_ADDRESS", "30")),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        # Background jobs (core/jobs.py): in-process unless a broker is given (redis://127.0.0.1:6379/N → Celery).
        "JOBS_BROKER_URL": os.environ.get("JOBS_BROKER_URL", ""),
        "JOBS_MAX_ATTEMPTS": int(os.environ.get("JOBS_MAX_ATTEMPTS", "5")),
        "JOBS_VISIBILITY_TIMEOUT": int(os.environ.get("JOBS_VISIBILITY_TIMEOUT", "3600")),
    }
