"""Ibu bersalin and bayi baru lahir: delivery to standard and the neonatal visit windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simpul_health.domain.birth import (
    ATTENDANTS,
    COMPETENT_ATTENDANTS,
    FACILITIES,
    PLACES,
    check_delivery,
    delivered_to_standard,
    neonatal_visit,
)
from simpul_health.domain.indicators import SPM
from simpul_platform.domain import RuleViolation

pytestmark = pytest.mark.unit

BORN = datetime(2025, 10, 12, 3, 40, tzinfo=UTC)
H = timedelta(hours=1)
MIN = timedelta(minutes=1)


def test_the_vocabularies_follow_the_definition() -> None:
    params = SPM["ibu_bersalin"].parameters
    assert (*params["facilities"], "home", "other") == PLACES
    assert tuple(params["facilities"]) == FACILITIES
    assert set(params["attendants"]) <= set(ATTENDANTS)
    assert COMPETENT_ATTENDANTS == ("doctor", "obgyn", "midwife", "nurse")


@pytest.mark.parametrize(
    ("place", "attendants", "expected"),
    [
        ("puskesmas", ["midwife"], True),
        ("hospital", ["obgyn", "nurse"], True),
        ("clinic", ["doctor"], True),
        ("midwife_practice", ["midwife", "family"], True),
        ("puskesmas", ["traditional_birth_attendant"], False),  # facility, no competent staff
        ("home", ["midwife"], False),  # competent staff, not at a facility
        ("other", ["doctor"], False),
        ("home", ["family"], False),
        ("hospital", ["none"], False),
        (None, ["midwife"], False),
        ("puskesmas", [], False),
    ],
)
def test_delivery_to_standard_needs_a_facility_and_a_competent_attendant(
    place: str | None, attendants: list[str], expected: bool
) -> None:
    assert delivered_to_standard(place, attendants) is expected


def test_a_birth_names_its_place_and_attendants_a_miscarriage_need_not() -> None:
    assert check_delivery("live_birth", "home", ["family", "midwife", "midwife"]) == [
        "midwife",
        "family",
    ]
    assert check_delivery("miscarriage", None, []) == []
    cases = [
        ("stillbirth", None, ["midwife"], "delivery_place_required"),
        ("live_birth", "puskesmas", [], "delivery_attendants_required"),
        ("live_birth", "home", ["none", "family"], "none_with_attendants"),
    ]
    for outcome, place, attendants, rule in cases:
        with pytest.raises(RuleViolation) as caught:
            check_delivery(outcome, place, attendants)
        assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("age", "kn"),
    [
        (6 * H, 1),
        (24 * H, 1),
        (48 * H, 1),
        (48 * H + MIN, 2),
        (168 * H, 2),
        (168 * H + MIN, 3),
        (672 * H, 3),
    ],
)
def test_the_neonatal_windows_end_inclusively(age: timedelta, kn: int) -> None:
    assert neonatal_visit(BORN, BORN + age) == kn


@pytest.mark.parametrize(
    ("age", "rule"),
    [
        (-MIN, "before_birth"),
        (timedelta(0), "before_kn1_window"),
        (6 * H - MIN, "before_kn1_window"),
        (672 * H + MIN, "after_neonatal_period"),
    ],
)
def test_a_visit_outside_the_neonatal_period_is_refused(age: timedelta, rule: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        neonatal_visit(BORN, BORN + age)
    assert (caught.value.field, caught.value.rule) == ("visited_at", rule)


def test_most_demo_deliveries_are_to_standard() -> None:
    from simpul_health.demo_births import delivery_setting

    settings = [delivery_setting(f"mother-{i}") for i in range(1000)]
    assert settings[0] == delivery_setting("mother-0")  # fixed by the seed
    share = sum(delivered_to_standard(*s) for s in settings) / len(settings)
    assert 0.75 <= share <= 0.95
