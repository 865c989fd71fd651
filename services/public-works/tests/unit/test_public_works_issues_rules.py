"""The infrastructure issue's workflow (the handling decides forward or schedule), the
overdue rule per step, the facility's status workflow, haversine and the coordinate check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from simpul_platform.domain import RuleViolation, TransitionRefused
from simpul_platform.geo import check_coordinates, distance_m
from simpul_public_works.domain.facilities import FACILITIES, damages
from simpul_public_works.domain.issues import (
    ISSUES,
    OverdueThresholds,
    allowed,
    check_budget_year,
    due_on,
    is_overdue,
    next_status,
)

pytestmark = pytest.mark.unit

T = OverdueThresholds(reported_days=14, triaged_days=60, forwarded_days=60)


@dataclass
class Issue:
    status: str
    reported_on: date = date(2026, 3, 2)
    triaged_on: date | None = None
    forwarded_on: date | None = None
    budget_year: int | None = None
    duplicate_of: str | None = None


def test_an_apbdes_issue_is_scheduled_by_the_desa_a_kabupaten_one_forwarded_first() -> None:
    assert next_status(None, None, "report") == "reported"
    assert next_status("reported", None, "triage") == "triaged"
    assert next_status("triaged", "apbdes", "schedule") == "scheduled"
    assert next_status("triaged", "kabupaten", "forward") == "forwarded"
    assert next_status("forwarded", "kabupaten", "schedule") == "scheduled"
    assert next_status("scheduled", "kabupaten", "complete") == "done"
    with pytest.raises(TransitionRefused) as refused:
        next_status("triaged", "apbdes", "forward")
    assert refused.value.details()["allowed"] == ["schedule", "decline"]
    with pytest.raises(TransitionRefused) as refused:
        next_status("triaged", "kabupaten", "schedule")
    assert refused.value.details()["allowed"] == ["forward", "decline"]
    assert refused.value.details()["current_status"] == "triaged"


@pytest.mark.parametrize("status", ["reported", "triaged", "forwarded", "scheduled"])
def test_every_open_step_may_be_declined_and_closed_with_its_primary(status: str) -> None:
    assert next_status(status, "kabupaten", "decline") == "declined"
    assert next_status(status, None, "resolve_with_primary") == "done"
    assert next_status(status, None, "decline_with_primary") == "declined"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("reported", "complete"),
        ("reported", "schedule"),
        ("done", "decline"),
        ("declined", "triage"),
    ],
)
def test_wrong_steps_are_refused(status: str, action: str) -> None:
    with pytest.raises(TransitionRefused):
        next_status(status, "apbdes", action)  # type: ignore[arg-type]


def test_done_and_declined_are_final() -> None:
    assert set(ISSUES.final) == {"done", "declined"}
    assert allowed("done", "apbdes") == []


@pytest.mark.parametrize(
    ("issue", "on", "overdue"),
    [
        (Issue("reported"), date(2026, 3, 16), False),  # the 14th day: due, not overdue
        (Issue("reported"), date(2026, 3, 17), True),
        (Issue("triaged", triaged_on=date(2026, 3, 10)), date(2026, 5, 9), False),
        (Issue("triaged", triaged_on=date(2026, 3, 10)), date(2026, 5, 10), True),
        (Issue("forwarded", forwarded_on=date(2026, 4, 1)), date(2026, 5, 31), False),
        (Issue("forwarded", forwarded_on=date(2026, 4, 1)), date(2026, 6, 1), True),
        (Issue("scheduled", budget_year=2026), date(2026, 12, 31), False),
        (Issue("scheduled", budget_year=2026), date(2027, 1, 1), True),
        (Issue("done"), date(2030, 1, 1), False),
        (Issue("declined"), date(2030, 1, 1), False),
        (Issue("reported", duplicate_of="x"), date(2030, 1, 1), False),  # follows its primary
    ],
)
def test_overdue_by_step(issue: Issue, on: date, overdue: bool) -> None:
    assert is_overdue(issue, on, T) is overdue


def test_the_deadline_is_the_step_s() -> None:
    assert due_on(Issue("reported"), T) == date(2026, 3, 16)
    assert due_on(Issue("scheduled", budget_year=2027), T) == date(2027, 12, 31)
    assert due_on(Issue("done"), T) is None


def test_budget_year_this_year_or_the_next_two() -> None:
    check_budget_year(2026, date(2026, 5, 1))
    check_budget_year(2028, date(2026, 5, 1))
    for year in (2025, 2029):
        with pytest.raises(RuleViolation) as broken:
            check_budget_year(year, date(2026, 5, 1))
        assert broken.value.rule == "budget_year_out_of_range"


def test_a_facility_is_damaged_and_repaired() -> None:
    assert FACILITIES.next("berfungsi", "damage") == "rusak"
    assert FACILITIES.next("rusak", "repair") == "berfungsi"
    with pytest.raises(TransitionRefused):
        FACILITIES.next("rusak", "damage")
    assert damages("berat", ["sedang", "berat"]) and not damages("ringan", ["sedang", "berat"])


def test_haversine() -> None:
    assert distance_m(-0.42, 116.98, -0.42, 116.98) == 0
    # One degree of latitude is ≈ 111.195 km on the mean sphere.
    assert distance_m(0, 117, 1, 117) == pytest.approx(111_195, rel=1e-4)
    # 0.0009° of latitude near the equator ≈ 100 m; a degree of longitude shrinks with cos φ.
    assert distance_m(-0.4203, 116.9871, -0.4212, 116.9871) == pytest.approx(100.08, abs=0.05)
    assert distance_m(60, 10, 60, 11) == pytest.approx(111_195 / 2, rel=1e-3)
    assert distance_m(-0.42, 116.98, -0.43, 116.99) == distance_m(-0.43, 116.99, -0.42, 116.98)


@pytest.mark.parametrize(
    ("lat", "lon", "field", "rule"),
    [
        (116.98, -0.42, "body.latitude", "coordinates_swapped"),
        (40.7, 116.9, "body.latitude", "coordinates_outside_indonesia"),
        (-0.42, 16.98, "body.longitude", "coordinates_outside_indonesia"),
        (-0.42, None, "body.longitude", "coordinates_pair"),
    ],
)
def test_coordinates(lat: float, lon: float | None, field: str, rule: str) -> None:
    with pytest.raises(RuleViolation) as broken:
        check_coordinates(lat, lon)
    assert (broken.value.field, broken.value.rule) == (field, rule)
    check_coordinates(-0.42, 116.98)
    check_coordinates(None, None)
