"""Shared column helpers."""
import secrets
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_token() -> str:
    """An unguessable token for QR codes and public links (never a database id)."""
    return secrets.token_urlsafe(18)
