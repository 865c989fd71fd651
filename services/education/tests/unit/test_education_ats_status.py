"""What an opened ATS case does to the child's education status, which status opens one by
itself, and when it is overdue: pure."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from simpul_education.domain.ats import (
    DETECTED_BY,
    STATUS_SOURCE,
    DetectionSource,
    detects_case,
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


def test_every_status_source_is_a_detection_the_status_it_records_agrees_with() -> None:
    assert set(DETECTED_BY) == set(SOURCES)
    assert set(DETECTED_BY.values()) <= set(get_args(DetectionSource))
    assert DETECTED_BY["kader_census"] == "kader_census"
    assert DETECTED_BY["school"] == DETECTED_BY["dapodik_match"] == "dapodik_match"
    # A case opened from a status would record that same source (had it recorded one).
    assert all(STATUS_SOURCE[DETECTED_BY[s]] == s for s in ("kader_census", "dapodik_match"))


@pytest.mark.parametrize(
    ("status", "age", "detects"),
    [
        ("out_of_school", 6, False),
        ("out_of_school", 7, True),
        ("out_of_school", 12, True),
        ("out_of_school", 18, True),
        ("out_of_school", 19, False),
        ("sd", 12, False),
        ("paket_b", 15, False),
        ("not_school_age", 4, False),
    ],
)
def test_out_of_school_at_a_school_age_detects_a_case(status: str, age: int, detects: bool) -> None:
    assert detects_case(status, age) is detects
