"""The annual programme (年度抽查计划): its rates, its time limits and their countdowns, and 无事不扰's visit cap.
Pure (no Flask, no SQLAlchemy): the stages count, this module says what the counts mean."""
from dataclasses import dataclass
from datetime import date

from webapp.domain.refusal import Refused
from webapp.domain.workdays import Calendar

# The figures of a task or a department, in the order of the regime.
FIGURES = ("drawn", "dispatched", "inspected", "on_time", "reviewed", "published")
LABELS = {"drawn": "抽中", "dispatched": "已派发", "inspected": "已检查", "on_time": "按时录入",
          "reviewed": "已审核", "published": "已公示"}
RATES = {"completion": "完成率", "on_time_rate": "按时录入率", "publication_rate": "公示率"}


@dataclass(frozen=True)
class Limits:
    """A jurisdiction's time limits (working days) and its cap on random checks of one enterprise per year.
    Defaults: entry within 5 working days (the seed), publication within 20 of the end of the check (Hebei)."""

    entry_days: int = 5
    publish_days: int = 20
    visit_cap: int | None = None  # None: no cap


class LimitsRefused(Refused):
    status = 422


def parse_limits(form) -> Limits:
    """The limits from a form or the CLI: whole numbers in range, a blank cap for none."""
    def number(name, label, low, high, blank_ok=False):
        raw = str(form.get(name, "") or "").strip()
        if not raw and blank_ok:
            return None
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise LimitsRefused(f"{label}应为 {low} 到 {high} 之间的整数{'，或留空表示不限' if blank_ok else ''}。")
        return int(raw)

    return Limits(entry_days=number("entry_days", "录入时限", 1, 60),
                  publish_days=number("publish_days", "公示时限", 1, 120),
                  visit_cap=number("visit_cap", "每年抽查次数上限", 1, 50, blank_ok=True))


def rate(part: int, whole: int) -> float | None:
    """part/whole as a fraction, None when there is nothing to divide by (shown as “—”)."""
    return None if not whole else part / whole


def rates(figures: dict) -> dict:
    """完成率 = 已检查 / 已派发; 按时录入率 = 按时录入 / 已检查; 公示率 = 已公示 / 已检查."""
    return {
        "completion": rate(figures.get("inspected", 0), figures.get("dispatched", 0)),
        "on_time_rate": rate(figures.get("on_time", 0), figures.get("inspected", 0)),
        "publication_rate": rate(figures.get("published", 0), figures.get("inspected", 0)),
    }


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True)
class Countdown:
    due: date
    provisional: bool
    left: int  # working days left after today up to the due day; 0 on the due day and after
    missed: bool  # the due day has passed with the work not done
    done: bool

    @property
    def text(self) -> str:
        mark = "（暂估）" if self.provisional else ""
        if self.done:
            return f"已按时完成（时限 {self.due:%Y-%m-%d}{mark}）"
        if self.missed:
            return f"已超期：时限 {self.due:%Y-%m-%d}{mark}"
        if self.left == 0:
            return f"今天截止（{self.due:%Y-%m-%d}{mark}）"
        return f"剩 {self.left} 个工作日（{self.due:%Y-%m-%d}{mark}）"


def countdown(calendar: Calendar, start: date, days: int, today: date, done: bool = False) -> Countdown:
    """The limit "within `days` working days after `start`" seen on `today`."""
    due = calendar.add_workdays(start, days)
    left = calendar.workdays_between(today, due.due) if today < due.due else 0
    return Countdown(due=due.due, provisional=due.provisional, left=left, missed=not done and today > due.due,
                     done=done)


def visit_reason(visits: int, cap: int) -> str:
    """无事不扰: the exclusion reason of an enterprise that reached the jurisdiction's yearly cap."""
    return f"本年度已被抽查 {visits} 次（每年至多 {cap} 次）"


def capped(visits: dict[str, int], cap: int | None) -> dict[str, int]:
    """The enterprises (USCC → checks this year) that may not be drawn again this year."""
    if not cap:
        return {}
    return {uscc: n for uscc, n in visits.items() if n >= cap}
