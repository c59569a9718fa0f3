"""Unguessable tokens for QR codes and public links."""
import secrets


def new_token() -> str:
    """An unguessable token for QR codes and public links (never a database id)."""
    return secrets.token_urlsafe(18)
