"""The coverage definitions' pure parts: birthdays, the births of a period, which doses each
indicator asks for, and the overlap rule of imported estimates."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_health.domain.coverage import (
    basic,
    birthday,
    births_reaching,
    boosters,
    dose_code,
)
from simpul_health.domain.immunisation import IDL_BY_DAYS, NATIONAL_SCHEDULE
from simpul_health.ops.coverage import age_months
from simpul_health.ops.kept import prorated
from simpul_platform.indicators import Period

pytestmark = pytest.mark.unit


def test_a_birthday_of_29_february_is_28_february_and_in_its_period() -> None:
    assert birthday(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert birthday(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert births_reaching(Period.parse("2025-02"), 1) == (date(2024, 2, 1), date(2024, 2, 29))
    assert births_reaching(Period.parse("2024-02"), 1)[1] == date(2023, 2, 28)


@pytest.mark.parametrize(
    ("label", "years", "expected"),
    [
        ("2025-06", 1, (date(2024, 6, 1), date(2024, 6, 30))),
        ("2025-Q3", 1, (date(2024, 7, 1), date(2024, 9, 30))),
        ("2025", 2, (date(2023, 1, 1), date(2023, 12, 31))),
    ],
)
def test_the_births_of_a_period_are_its_months_years_earlier(
    label: str, years: int, expected: tuple[date, date]
) -> None:
    first, last = births_reaching(Period.parse(label), years)
    assert (first, last) == expected
    period = Period.parse(label)
    assert period.contains(birthday(first, years)) and period.contains(birthday(last, years))


def test_idl_asks_for_the_doses_due_by_9_months_and_the_boosters_for_18() -> None:
    idl = {(d.antigen, d.dose) for d in basic(NATIONAL_SCHEDULE)}
    assert ("MR", 1) in idl and ("IPV", 2) in idl and ("HB0", 1) in idl
    assert ("PCV", 3) not in idl  # due at 12 months: neither basic nor a baduta booster
    assert all(d.due_age_days <= IDL_BY_DAYS for d in basic(NATIONAL_SCHEDULE))
    assert {(d.antigen, d.dose) for d in boosters(NATIONAL_SCHEDULE)} == {
        ("DPT-HB-Hib", 4),
        ("MR", 2),
    }
    assert dose_code(basic(NATIONAL_SCHEDULE)[3]) == "imunisasi_dpt_hb_hib_1"


@pytest.mark.parametrize(
    ("birth", "on", "months"),
    [
        (date(2025, 1, 15), date(2025, 2, 14), 0),
        (date(2025, 1, 15), date(2025, 2, 15), 1),
        (date(2025, 1, 31), date(2025, 2, 28), 1),  # the month's last day stands for the 31st
        (date(2024, 6, 1), date(2026, 5, 31), 23),
    ],
)
def test_age_in_whole_months(birth: date, on: date, months: int) -> None:
    assert age_months(birth, on) == months


@pytest.mark.parametrize(
    ("yearly", "label", "expected"),
    [(1206, "2026-03", 101), (1300, "2026-03", 108), (1906, "2026-Q1", 477), (7, "2026", 7)],
)
def test_an_estimate_is_pro_rated_half_up(yearly: int, label: str, expected: int) -> None:
    assert prorated(yearly, Period.parse(label)) == expected
