"""Dates and times that arrive from outside (a phone's body, a form, a camera's EXIF), range-checked before any
arithmetic: `datetime.astimezone` on 9999-12-31T23:59:59-12:00 or 0001-01-01T00:00:00+08:00 raises OverflowError,
which would otherwise be a 500 that the phone retries for ever.

Pure: the caller passes `now` (aware). A moment is accepted from 2000-01-01 (Beijing) up to one day after `now`
(a phone's clock may run a little ahead); a date from 2000-01-01 up to 2099-12-31. Outside, `OutOfRange` (a
`Refused`, 422) says so in Chinese, naming the field."""
from datetime import date, datetime, timedelta, timezone

from webapp.domain.refusal import Refused

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
EARLIEST = datetime(2000, 1, 1, tzinfo=BEIJING)
FUTURE_SLACK = timedelta(days=1)
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAX_TEXT = 64


class OutOfRange(Refused):
    """A date or time that is malformed or outside the range the regime can have (422)."""

    status = 422


def _parsed(value, parse, required: bool, missing: str, malformed: str):
    """`parse` of an ISO text (`fromisoformat`), None when absent and not required; else OutOfRange."""
    if value is None or value == "":
        if required:
            raise OutOfRange(missing)
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise OutOfRange(malformed)
    try:
        return parse(value.strip())
    except ValueError:
        raise OutOfRange(malformed) from None


def moment(value, label: str, now: datetime, required: bool = False) -> datetime | None:
    """ISO 8601 text (a time without an offset is Beijing time) as an aware UTC datetime; None when absent."""
    parsed = _parsed(value, datetime.fromisoformat, required, f"缺少{label}。",
                     f"{label}格式不正确（应为带时区的 ISO 8601 时间）。")
    return None if parsed is None else checked(parsed, label, now)


def checked(value: datetime, label: str, now: datetime) -> datetime:
    """An aware or Beijing-naive datetime, range-checked, as aware UTC. Comparing aware datetimes never overflows;
    converting them can, so the comparison comes first."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=BEIJING)
    if value < EARLIEST:
        raise OutOfRange(f"{label}早于 2000 年，不是有效的时间，请检查手机的日期和时间设置。")
    if value > now + FUTURE_SLACK:
        raise OutOfRange(f"{label}晚于服务器当前时间一天以上，请检查手机的日期和时间设置。")
    return value.astimezone(timezone.utc)


def in_range(value: datetime | None, now: datetime) -> datetime | None:
    """For what a camera says (EXIF): the moment as aware UTC when plausible, else None (never refused)."""
    if value is None:
        return None
    try:
        return checked(value, "拍摄时间", now)
    except OutOfRange:
        return None


def day(value, label: str, required: bool = True) -> date | None:
    """A `YYYY-MM-DD` date, from 2000-01-01 to 2099-12-31."""
    parsed = _parsed(value, date.fromisoformat, required, f"请填写{label}。", f"{label}格式不正确（应为 YYYY-MM-DD）。")
    if parsed is not None and not FIRST_DAY <= parsed <= LAST_DAY:
        raise OutOfRange(f"{label}超出有效范围（2000-01-01 至 2099-12-31）。")
    return parsed
