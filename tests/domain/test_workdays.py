from datetime import date

from webapp.domain.workdays import Calendar


def test_five_working_days_skip_the_national_day_holiday():
    # 2023-09-28 (Thu) → 29 Sep–6 Oct off, 7 and 8 Oct are 调休 workdays.
    deadline = Calendar().add_workdays(date(2023, 9, 28), 5)
    assert deadline.due == date(2023, 10, 11) and not deadline.provisional


def test_a_weekend_make_up_day_counts():
    assert Calendar().is_workday(date(2023, 10, 7)) == (True, False)


def test_deadline_across_new_year_never_crashes_and_is_marked_provisional():
    deadline = Calendar().add_workdays(date(2026, 12, 28), 5)
    assert deadline.due == date(2027, 1, 5)  # 29, 30, 31 Dec, then 1 Jan off, 4 and 5 Jan
    assert deadline.provisional


def test_office_overrides_win_over_the_package_and_the_fallback():
    overrides = {date(2027, 1, 4): False, date(2023, 10, 9): False}
    calendar = Calendar(overrides)
    assert calendar.add_workdays(date(2026, 12, 28), 5).due == date(2027, 1, 6)
    assert calendar.is_workday(date(2023, 10, 9)) == (False, False)


def test_workdays_between_counts_after_start_up_to_end():
    assert Calendar().workdays_between(date(2023, 10, 6), date(2023, 10, 9)) == 3  # 调休 Sat 7 and Sun 8, Mon 9
    assert Calendar().workdays_between(date(2023, 10, 9), date(2023, 10, 9)) == 0
