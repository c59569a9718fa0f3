"""Working days on the mainland China calendar.

Order of authority for a date: the office's override table, then the `chinese-calendar` package (statutory
holidays and 调休 make-up workdays), then, for years the package does not cover, Monday–Friday less the
fixed-date statutory holidays (元旦, 劳动节, 国庆 1–3 October). A result that
used the last fallback is *provisional* and the UI says so. Never raises for a year out of range.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

import chinese_calendar


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool  # some day on the way was guessed as Monday–Friday


# Statutory holidays whose dates never move; the lunar ones (春节, 清明, 端午, 中秋) need the override table.
FIXED_HOLIDAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}


class Calendar:
    def __init__(self, overrides: Mapping[date, bool] | None = None):
        # overrides: date -> True (working day) / False (day off)
        self.overrides = dict(overrides or {})

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, was that a provisional guess)."""
        if day in self.overrides:
            return self.overrides[day], False
        try:
            return chinese_calendar.is_workday(day), False
        except NotImplementedError:
            return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS, True

    def add_workdays(self, start: date, n: int) -> Deadline:
        """The end of the n-th working day after `start` ("within n working days after day D")."""
        day, counted, provisional = start, 0, False
        while counted < n:
            day += timedelta(days=1)
            works, guessed = self.is_workday(day)
            provisional |= guessed
            counted += works
        return Deadline(day, provisional)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)[0]
        return count
