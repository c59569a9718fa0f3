"""One clock. Moments are stored in UTC; the regime's days (inspection dates, deadlines, 公示日期) are days in
Beijing, whatever the server's own timezone is."""
from datetime import date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


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
