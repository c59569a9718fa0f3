"""One clock. Moments are stored in UTC; the regime's days (inspection dates, deadlines, 公示日期) are days in
Beijing, whatever the server's own timezone is.

Two kinds of naive datetime reach the code: a stored moment read back from SQLite (UTC, `aware`) and a moment
a phone or a camera wrote without a zone (Beijing wall-clock time, `from_beijing`)."""
from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    """Now, as stored: an aware UTC datetime (column defaults take this callable)."""
    return datetime.now(timezone.utc)


def now() -> datetime:
    """Now in Beijing, aware."""
    return datetime.now(BEIJING)


def today() -> date:
    """Today's date in Beijing."""
    return now().date()


def aware(value: datetime | None) -> datetime | None:
    """A stored moment as an aware UTC datetime (SQLite hands back naive UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def in_beijing(value: datetime | None) -> datetime | None:
    """A stored moment shown as Beijing time."""
    value = aware(value)
    return value.astimezone(BEIJING) if value else None


def from_beijing(value: datetime | None) -> datetime | None:
    """A moment from outside (a phone's payload, a camera's EXIF) as aware UTC, ready to store: without a zone it
    is Beijing wall-clock time."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=BEIJING)).astimezone(timezone.utc)


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 text of a day or a stored moment (a naive one is UTC, so it gets its +00:00); None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        value = aware(value)
    return value.isoformat()


def sort_key(value: datetime | None) -> datetime:
    """Stored moments, naive (SQLite) or aware, sorted together; a missing one comes first."""
    return aware(value) or _EARLIEST
