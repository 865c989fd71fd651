"""The counts kept per posyandu and month, as pure functions: ages at a month's end by birth
month, the birth-date ranges the database reads them with, every count over a hand-made set,
the PAUD equity ratio, and the end month of a period."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from simpul_education.domain.children import age_years
from simpul_education.domain.indicators import (
    CHILDREN,
    DASAR_7_15,
    KESETARAAN_7_18,
    OUT_OF_SCHOOL_7_18,
    PAUD_5_6,
    PAUD_5_6_HIGH,
    PAUD_5_6_LOW,
    RATE_SCALE,
    add_months,
    added,
    age_at_month_end,
    born_between,
    definitions,
    equity,
    tally,
)
from simpul_education.ops.tallies import lock_key
from simpul_platform.tallies import end_month, month_end

pytestmark = pytest.mark.unit

MARCH = date(2026, 3, 1)


def test_an_age_at_a_month_end_is_the_age_on_that_day_but_for_29_february() -> None:
    month = date(2024, 1, 1)
    for _ in range(40):
        end = month_end(month)
        born = date(2010, 1, 1)
        while born <= end:
            expected = age_years(born, end)
            if (born.month, born.day) == (2, 29) and end.month == 2 and end.day == 28:
                expected += 1  # a year older at the end of February, in every year
            assert age_at_month_end(born, month) == expected, (born, end)
            born += timedelta(days=37)
        month = add_months(month, 1)
    assert age_at_month_end(date(2020, 2, 29), date(2025, 2, 1)) == 5


def test_the_birth_date_ranges_select_exactly_the_age_groups() -> None:
    for youngest, oldest in ((0, 18), (5, 6), (7, 15), (7, 18)):
        first, last = born_between(youngest, oldest, MARCH)
        born = date(2006, 1, 1)
        while born <= date(2026, 6, 30):
            in_group = youngest <= age_at_month_end(born, MARCH) <= oldest
            assert in_group == (first <= born <= last), (youngest, oldest, born)
            born += timedelta(days=1)
    assert born_between(5, 6, MARCH) == (date(2019, 4, 1), date(2021, 3, 31))


def test_every_count_over_a_hand_made_set() -> None:
    children: list[tuple[date, str | None, int | None]] = [
        (date(2021, 3, 31), "paud", 1),  # turns 5 in March: in 5–6, deciles 1–2
        (date(2021, 4, 1), "paud", 1),  # 4 until April's end: outside
        (date(2019, 4, 1), None, 2),  # 6, nothing recorded, deciles 1–2
        (date(2019, 3, 1), "sd", 10),  # 7 in March: dasar, not 5–6
        (date(2020, 7, 7), "paud", 9),  # 5, deciles 9–10
        (date(2020, 8, 8), "not_school_age", None),  # 5, no decile known
        (date(2012, 1, 1), "out_of_school", None),  # 14
        (date(2010, 5, 5), "paket_b", None),  # 15: dasar, kesetaraan
        (date(2008, 3, 3), "paket_c", None),  # 18: kesetaraan, not dasar
        (date(2007, 3, 3), "out_of_school", None),  # 19: counted nowhere
        (date(2026, 4, 1), None, None),  # born after March: nowhere
    ]
    counted = tally(definitions(), children, MARCH)
    assert counted == {
        CHILDREN: (9, 9),
        PAUD_5_6: (2, 4),
        DASAR_7_15: (2, 3),
        KESETARAAN_7_18: (2, 3),
        OUT_OF_SCHOOL_7_18: (1, 4),
        PAUD_5_6_LOW: (1, 2),  # the April child is 4
        PAUD_5_6_HIGH: (1, 1),
    }
    wider = tally(definitions(kesetaraan_denominator=("out_of_school",)), children, MARCH)
    assert wider[KESETARAAN_7_18] == (0, 1)  # a Paket pupil is not out of school here
    assert added([counted, counted])[PAUD_5_6] == (4, 8)


def test_the_equity_ratio_is_two_rates_per_ten_thousand() -> None:
    assert equity((3, 10), (8, 10)) == (3000, 8000)
    assert RATE_SCALE == 10_000
    assert equity((1, 3), (2, 3)) == (3333, 6667)
    assert equity((0, 0), (2, 3)) == (0, 0)  # no poor child 5–6: no ratio
    assert equity((1, 3), (0, 0)) == (3333, 0)  # no rich child 5–6: no ratio (percent null)
    assert equity((1, 3), (0, 4)) == (3333, 0)


def test_a_period_is_counted_at_its_last_month_or_the_current_one() -> None:
    today = date(2026, 5, 14)
    assert end_month(date(2025, 12, 31), today) == date(2025, 12, 1)
    assert end_month(date(2026, 12, 31), today) == date(2026, 5, 1)
    assert end_month(date(2026, 5, 31), today) == date(2026, 5, 1)


def test_definitions_are_tagged_so_changed_settings_count_again() -> None:
    assert definitions().basis == definitions().basis
    assert definitions().basis != definitions(kesetaraan_numerator=("paket_c",)).basis
    assert lock_key("a") == lock_key("a") and -(2**31) <= lock_key("b") < 2**31
