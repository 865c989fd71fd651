"""The stunting → PAUD decision (pure): the 2–6 age band in completed months, PAUD or BKB
first, an open referral not opened twice."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_education.domain.stunting_paud import (
    MAX_MONTHS,
    MIN_MONTHS,
    age_at_detection,
    decide,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("months", "in_paud", "referral_open", "decision"),
    [
        (MIN_MONTHS, False, False, "referred"),
        (MAX_MONTHS, False, False, "referred"),
        (MIN_MONTHS - 1, False, False, "out_of_age"),  # not yet two
        (MAX_MONTHS + 1, False, False, "out_of_age"),  # seven: SD age
        (10, True, True, "out_of_age"),  # the age band is judged first
        (36, True, False, "already_in_paud"),
        (36, True, True, "already_in_paud"),
        (36, False, True, "referral_open"),
    ],
)
def test_the_decision_for_one_detection(
    months: int, in_paud: bool, referral_open: bool, decision: str
) -> None:
    assert decide(months, in_paud_or_bkb=in_paud, referral_open=referral_open) == decision


def test_the_age_is_in_completed_months_at_the_measurement() -> None:
    measured = date(2026, 3, 2)
    born_two_years_before = (measured - date(2024, 3, 2)).days
    assert age_at_detection(born_two_years_before, measured) == 24
    assert age_at_detection(born_two_years_before - 1, measured) == 23  # a day short of two
    assert age_at_detection(0, measured) == 0
    seventh_birthday = (measured - date(2019, 3, 2)).days
    assert age_at_detection(seventh_birthday - 1, measured) == MAX_MONTHS
    assert age_at_detection(seventh_birthday, measured) == MAX_MONTHS + 1
