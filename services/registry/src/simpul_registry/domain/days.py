"""Posyandu days: the monthly rule ("second Tuesday"), the calendar it expands to, and when a
kader counts as inactive. Pure: no SQL, no FastAPI.

Rules chosen (and tested):
- a rule names week 1–4 of the month or ``-1`` (the last); a fifth weekday exists only in some
  months, so week 5 is refused as a rule (``week_of_month``) and the message points to ``-1``;
- a recurring day that falls on a holiday moves to the next working day (the platform's
  calendar: Monday–Friday, not a holiday), and the calendar says where it was planned; one-off
  and serentak days are chosen by people, so they stay where they are and are only flagged;
- a cancellation names a date (the moved one or the planned one) and removes whatever the
  calendar had there, unless the day already has a record;
- a recorded day is always on the calendar: a record on a date no rule, one-off or serentak day
  gives becomes a one-off day of that posyandu.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from simpul_platform.domain import RuleViolation
from simpul_platform.workdays import is_working_day

LAST = -1
WEEKS = (1, 2, 3, 4, LAST)


class Weekday(StrEnum):
    monday = "monday"
    tuesday = "tuesday"
    wednesday = "wednesday"
    thursday = "thursday"
    friday = "friday"
    saturday = "saturday"
    sunday = "sunday"

    @property
    def number(self) -> int:
        """Python's weekday number (Monday 0)."""
        return list(Weekday).index(self)


class DayKind(StrEnum):
    recurring = "recurring"
    one_off = "one_off"
    serentak = "serentak"


class NotHeldReason(StrEnum):
    """Why a planned day did not open (a code, never free text, so it can be counted)."""

    holiday = "holiday"
    disaster = "disaster"  # flood, fire, landslide
    weather = "weather"
    no_health_worker = "no_health_worker"  # the puskesmas could not send its staff
    too_few_kader = "too_few_kader"
    no_venue = "no_venue"
    community_event = "community_event"  # a funeral, a wedding, a village event
    other = "other"


@dataclass(frozen=True)
class MonthlyRule:
    week: int  # 1–4, or -1 for the last
    weekday: int  # Monday 0
    valid_from: date
    valid_until: date | None = None

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass
class PlannedDay:
    day: date
    kinds: set[DayKind] = field(default_factory=set)
    planned_on: date | None = None  # a recurring day moved off a holiday: where it was planned
    holiday: bool = False  # the day itself is a holiday (a one-off or serentak day kept there)


def check_rule(rule: MonthlyRule, where: str) -> None:
    if rule.week not in WEEKS:
        raise RuleViolation(
            f"{where}.week",
            "week_of_month",
            "A monthly rule names week 1 to 4, or -1 for the last: a fifth weekday exists "
            "in some months only.",
        )
    if rule.valid_until is not None and rule.valid_until < rule.valid_from:
        raise RuleViolation(
            f"{where}.valid_until", "before_start", "valid_until is before valid_from."
        )


def nth_weekday(year: int, month: int, week: int, weekday: int) -> date:
    """The ``week``-th ``weekday`` of the month (``-1``: the last)."""
    days = calendar.monthrange(year, month)[1]
    if week == LAST:
        last = date(year, month, days)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))


def next_working_day(day: date, holidays: Collection[date]) -> date:
    while not is_working_day(day, holidays):
        day += timedelta(days=1)
    return day


def months(start: date, end: date) -> Iterator[tuple[int, int]]:
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def recurring(
    rules: Iterable[MonthlyRule], start: date, end: date, holidays: Collection[date]
) -> dict[date, date]:
    """Each recurring day in [start, end] → the date it was planned on (itself, or the holiday
    it moved from). The month before ``start`` is expanded too: its day may move into it."""
    found: dict[date, date] = {}
    for rule in rules:
        for year, month in months(start - timedelta(days=31), end):
            planned = nth_weekday(year, month, rule.week, rule.weekday)
            if not rule.covers(planned):
                continue
            day = next_working_day(planned, holidays)
            if start <= day <= end:
                found.setdefault(day, planned)
    return found


def expand(
    rules: Iterable[MonthlyRule],
    start: date,
    end: date,
    *,
    holidays: Collection[date],
    one_off: Iterable[date] = (),
    serentak: Iterable[date] = (),
    cancelled: Collection[date] = (),
    recorded: Iterable[date] = (),
) -> list[PlannedDay]:
    """The posyandu's calendar in [start, end], by date."""
    days: dict[date, PlannedDay] = {}
    for day, planned in recurring(rules, start, end, holidays).items():
        entry = days.setdefault(day, PlannedDay(day))
        entry.kinds.add(DayKind.recurring)
        entry.planned_on = planned if planned != day else None
    for kind, dates in ((DayKind.one_off, one_off), (DayKind.serentak, serentak)):
        for day in dates:
            if start <= day <= end:
                days.setdefault(day, PlannedDay(day)).kinds.add(kind)
    for day, entry in list(days.items()):
        if day in cancelled or entry.planned_on in cancelled:
            del days[day]
    for day in recorded:  # a record keeps its day on the calendar, as a one-off if need be
        if start <= day <= end:
            days.setdefault(day, PlannedDay(day, {DayKind.one_off}))
    for entry in days.values():
        entry.holiday = entry.day in holidays
    return [days[d] for d in sorted(days)]


def add_months(day: date, count: int) -> date:
    """The same day ``count`` months on, or that month's last day when it is shorter."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def inactive_from(last_active: date, inactive_months: int) -> date:
    """The first day a kader counts as inactive: ``inactive_months`` after their last present
    day (or their start, if they never attended). Last present 15 January, three months:
    inactive from 15 April (14 April is still active); 30 November → 28 February."""
    return add_months(last_active, inactive_months)


def is_inactive(last_active: date, on: date, inactive_months: int) -> bool:
    return on >= inactive_from(last_active, inactive_months)
