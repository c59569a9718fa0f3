"""Accounts: departments, users with their roles, their revocable sessions (`sessions.py`), passwords and their
rules (`passwords.py`), sign-in attempts and the lock against password guessing (`throttle.py`)."""
