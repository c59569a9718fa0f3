"""Accounts: departments, users with their roles, sign-in attempts and the lock against password guessing."""
