"""Bansos periods: each program is paid per month, quarter or year; a distribution names one.

"Current period" (used by the stunting reaction): for a detection on day ``d`` a program's
current period is the one of its period type that contains ``d``; for monthly programs the
previous month also counts, because monthly payments (sembako, BLT Desa, permakanan) often land
after the month they are for. A household with a distribution of any program in one of its
current periods is "receiving bansos".
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from simpul_platform.indicators import Period

PeriodType = Literal["month", "quarter", "year"]
PERIOD_TYPES: tuple[PeriodType, ...] = ("month", "quarter", "year")


def period_type_of(label: str) -> PeriodType:
    """The type of a period label; raises ValueError for anything but YYYY, YYYY-MM, YYYY-Qn."""
    Period.parse(label)
    if len(label) == 4:
        return "year"
    return "quarter" if label[5] == "Q" else "month"


def label_of(period_type: PeriodType, day: date) -> str:
    """The period of ``period_type`` that contains ``day``."""
    if period_type == "year":
        return f"{day.year}"
    if period_type == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def current_periods(period_type: PeriodType, day: date) -> tuple[str, ...]:
    """The period labels that count as "current" for a program on ``day`` (see module doc)."""
    if period_type != "month":
        return (label_of(period_type, day),)
    previous = date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)
    return (label_of("month", day), label_of("month", previous))


def bounds(label: str) -> tuple[date, date]:
    """First and last day (inclusive) of a period label."""
    period = Period.parse(label)
    return period.start, period.end
