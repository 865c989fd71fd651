"""Working days: Monday to Friday, minus Indonesian public holidays (configurable data).

One calendar for every field's due dates (priority cases, referrals). National holidays and
cuti bersama come from ``lokal-id`` (the SKB 3 Menteri per year); a deployment adds regional
holidays or corrections through settings (``SIMPUL_EXTRA_HOLIDAYS``, or a service's own
prefix). Years without official data simply have no holidays beyond the configured ones.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta
from functools import lru_cache

import lokal

from simpul_platform.settings import ServiceSettings


def national_holidays(years: Iterable[int], *, cuti_bersama: bool = True) -> frozenset[date]:
    """Libur nasional (and cuti bersama) for the years lokal-id has data for."""
    days: set[date] = set()
    for year in years:
        days |= _holidays_of(year, cuti_bersama)
    return frozenset(days)


@lru_cache(maxsize=64)
def _holidays_of(year: int, cuti_bersama: bool) -> frozenset[date]:
    # lokal-id builds its holiday objects on every call; every due date needs two years of them.
    if year not in lokal.HOLIDAY_YEARS:
        return frozenset()
    return frozenset(
        date.fromisoformat(holiday.date)
        for holiday in lokal.get_holidays(year).holidays
        if cuti_bersama or holiday.type == "libur_nasional"
    )


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


def due_after(settings: ServiceSettings, start: date, working_days: int) -> date:
    """``working_days`` working days after ``start`` under the deployment's calendar: weekends,
    national holidays (and cuti bersama, unless the deployment counts it as a working day)
    and its extra holidays skipped."""
    holidays = set(settings.extra_holidays)
    if settings.national_holidays:
        years = range(start.year, start.year + 2)
        holidays |= national_holidays(years, cuti_bersama=settings.cuti_bersama_is_holiday)
    return add_working_days(start, working_days, holidays)
