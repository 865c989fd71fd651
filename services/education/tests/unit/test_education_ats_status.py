"""What an opened ATS case does to the child's education status, and when it is overdue: pure."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from simpul_education.domain.ats import (
    STATUS_SOURCE,
    DetectionSource,
    is_overdue,
    records_out_of_school,
    verify_due,
)
from simpul_education.domain.status import SOURCES

pytestmark = pytest.mark.unit
DETECTED = date(2026, 3, 2)


def test_every_detection_maps_onto_a_status_source() -> None:
    assert set(STATUS_SOURCE) == set(get_args(DetectionSource))
    assert set(STATUS_SOURCE.values()) <= set(SOURCES)
    assert STATUS_SOURCE["referral"] == STATUS_SOURCE["reaction"] == "kader_census"
    assert STATUS_SOURCE["dapodik_match"] == "dapodik_match"


@pytest.mark.parametrize(
    ("current", "current_on", "records"),
    [
        (None, None, True),  # nothing recorded yet
        ("sd", date(2025, 7, 14), True),
        ("sd", DETECTED, True),  # the same day: not before it
        ("sd", date(2026, 3, 9), False),  # a later status stays the latest
        ("out_of_school", date(2026, 1, 12), False),  # no second row
        ("out_of_school", date(2026, 3, 9), False),
    ],
)
def test_an_opened_case_records_out_of_school_only_when_it_is_news(
    current: str | None, current_on: date | None, records: bool
) -> None:
    assert records_out_of_school(current, current_on, DETECTED) is records


def test_a_case_is_due_and_overdue_only_until_it_is_verified() -> None:
    due = date(2026, 3, 16)
    assert verify_due("detected", due) == verify_due("classified", due) == due
    assert verify_due("verified", due) is None and verify_due("referred", due) is None
    assert is_overdue("classified", due, date(2026, 3, 17))
    assert not is_overdue("classified", due, due)  # due that day: not yet late
    assert not is_overdue("verified", due, date(2026, 4, 1))
