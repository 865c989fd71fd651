"""The one working-day calendar every field's due dates use."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_platform.settings import ServiceSettings
from simpul_platform.workdays import add_working_days, due_after, national_holidays

pytestmark = pytest.mark.unit


def test_five_working_days_skip_weekends_and_holidays() -> None:
    holidays = national_holidays([2026])
    # Monday 23 Nov 2026 → Monday 30 Nov (Sat/Sun skipped).
    assert add_working_days(date(2026, 11, 23), 5, holidays) == date(2026, 11, 30)
    # Tuesday 17 Mar 2026: Nyepi and Idulfitri (18–24 Mar, with cuti bersama) are skipped.
    assert add_working_days(date(2026, 3, 17), 5, holidays) == date(2026, 3, 31)
    assert add_working_days(
        date(2026, 3, 17), 5, national_holidays([2026], cuti_bersama=False)
    ) == date(2026, 3, 25)
    # A Friday detection; a configured regional holiday on the Monday.
    assert add_working_days(date(2026, 11, 20), 1, {date(2026, 11, 23)}) == date(2026, 11, 24)
    assert national_holidays([1999]) == frozenset()
    assert add_working_days(date(2026, 11, 20), 0, holidays) == date(2026, 11, 20)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 20), -1, holidays)


def test_the_deployment_sets_the_calendar(monkeypatch: pytest.MonkeyPatch) -> None:
    assert due_after(ServiceSettings(), date(2026, 3, 17), 5) == date(2026, 3, 31)
    no_cuti = ServiceSettings(cuti_bersama_is_holiday=False)
    assert due_after(no_cuti, date(2026, 3, 17), 5) == date(2026, 3, 25)
    # A regional holiday for the whole deployment, read from the environment.
    monkeypatch.setenv("SIMPUL_EXTRA_HOLIDAYS", '["2026-11-23"]')
    assert due_after(ServiceSettings(), date(2026, 11, 20), 1) == date(2026, 11, 24)
    # Without the national calendar only weekends and the extra days count.
    assert due_after(
        ServiceSettings(national_holidays=False, extra_holidays=[]), date(2026, 3, 17), 5
    ) == date(2026, 3, 24)


def test_a_due_date_late_in_december_reads_next_year_s_holidays() -> None:
    # Wednesday 30 Dec 2026: 1 Jan 2027 (New Year) is skipped when the data has 2027.
    due = due_after(ServiceSettings(), date(2026, 12, 30), 2)
    expected = (
        date(2027, 1, 4) if date(2027, 1, 1) in national_holidays([2027]) else date(2027, 1, 1)
    )
    assert due == expected
