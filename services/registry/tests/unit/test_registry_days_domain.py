"""The monthly rule, the calendar across month ends and holidays, and the inactivity boundary."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_platform.domain import RuleViolation
from simpul_platform.settings import ServiceSettings
from simpul_registry.domain.days import (
    LAST,
    DayKind,
    MonthlyRule,
    add_months,
    check_rule,
    expand,
    inactive_from,
    is_inactive,
    nth_weekday,
)
from simpul_registry.domain.holidays import holidays

pytestmark = pytest.mark.unit
TUESDAY, THURSDAY = 1, 3


def test_nth_weekday_and_the_last_one() -> None:
    assert nth_weekday(2026, 3, 2, TUESDAY) == date(2026, 3, 10)
    assert nth_weekday(2026, 3, 1, THURSDAY) == date(2026, 3, 5)
    assert nth_weekday(2026, 3, LAST, TUESDAY) == date(2026, 3, 31)  # March 2026 has five
    assert nth_weekday(2026, 2, LAST, TUESDAY) == date(2026, 2, 24)  # February has four


def test_a_fifth_week_is_refused_as_a_rule() -> None:
    with pytest.raises(RuleViolation) as refused:
        check_rule(MonthlyRule(5, TUESDAY, date(2026, 1, 1)), "body.rules[0]")
    assert (refused.value.field, refused.value.rule) == ("body.rules[0].week", "week_of_month")
    with pytest.raises(RuleViolation) as backwards:
        check_rule(MonthlyRule(2, TUESDAY, date(2026, 5, 1), date(2026, 4, 1)), "r")
    assert backwards.value.rule == "before_start"
    check_rule(MonthlyRule(LAST, TUESDAY, date(2026, 1, 1)), "r")


def test_a_recurring_day_on_a_holiday_moves_to_the_next_working_day() -> None:
    days = holidays(ServiceSettings(), [2026])
    # Second Tuesday of February 2026 is the 10th; the third Tuesday, 17 Feb, is Imlek.
    rule = MonthlyRule(3, TUESDAY, date(2026, 1, 1))
    calendar = expand([rule], date(2026, 1, 1), date(2026, 3, 31), holidays=days)
    assert [(d.day, d.planned_on) for d in calendar] == [
        (date(2026, 1, 20), None),
        (date(2026, 2, 18), date(2026, 2, 17)),
        (date(2026, 3, 17), None),
    ]
    # 2025 comes from the registry's own table (SKB 1017/2024): Tuesday 1 April is Idulfitri,
    # 2–4 and 7 April are cuti bersama, so the first Tuesday moves to Tuesday 8 April.
    first = MonthlyRule(1, TUESDAY, date(2025, 1, 1))
    april = expand(
        [first], date(2025, 4, 1), date(2025, 4, 30), holidays=holidays(ServiceSettings(), [2025])
    )
    assert [(d.day, d.planned_on) for d in april] == [(date(2025, 4, 8), date(2025, 4, 1))]


def test_validity_one_offs_serentak_cancellations_and_records() -> None:
    rule = MonthlyRule(2, TUESDAY, date(2026, 2, 1), date(2026, 4, 30))
    calendar = expand(
        [rule],
        date(2026, 1, 1),
        date(2026, 5, 31),
        holidays=frozenset(),
        one_off=[date(2026, 1, 22)],
        serentak=[date(2026, 3, 10), date(2026, 5, 5)],
        cancelled={date(2026, 4, 14)},
        recorded=[date(2026, 5, 20)],
    )
    assert [(d.day, sorted(d.kinds)) for d in calendar] == [
        (date(2026, 1, 22), [DayKind.one_off]),
        (date(2026, 2, 10), [DayKind.recurring]),
        (date(2026, 3, 10), [DayKind.recurring, DayKind.serentak]),
        (date(2026, 5, 5), [DayKind.serentak]),
        (date(2026, 5, 20), [DayKind.one_off]),  # a record off the calendar is a one-off
    ]


def test_a_serentak_day_on_a_holiday_stays_and_is_flagged() -> None:
    calendar = expand(
        [],
        date(2026, 8, 1),
        date(2026, 8, 31),
        holidays=frozenset({date(2026, 8, 17)}),
        serentak=[date(2026, 8, 17)],
    )
    assert [(d.day, d.holiday) for d in calendar] == [(date(2026, 8, 17), True)]


def test_inactive_at_exactly_three_months() -> None:
    last = date(2026, 1, 15)
    assert inactive_from(last, 3) == date(2026, 4, 15)
    assert not is_inactive(last, date(2026, 4, 14), 3)
    assert is_inactive(last, date(2026, 4, 15), 3)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)  # the month is shorter
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 10, 31), 3) == date(2027, 1, 31)
