"""A disaster's workflow (assessment repeated while the emergency lasts), its dates, the SK, the
smallest area holding its desa, evacuation counts, school age and risk information's reach."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_platform.domain import RuleViolation, TransitionRefused
from simpul_trantib.domain.disaster import (
    DISASTER,
    age_on,
    check_affected_desa,
    check_declaration,
    check_evacuated,
    check_needing,
    check_step_date,
    reach,
    school_age,
    smallest_area,
)

pytestmark = pytest.mark.unit

TODAY = date(2026, 3, 2)


def test_the_path_from_declaration_to_close() -> None:
    status = DISASTER.next(None, "declare")
    path = ["assess", "assess", "evacuate", "assess", "respond", "assess", "recover", "close"]
    seen = []
    for action in path:
        status = DISASTER.next(status, action)  # type: ignore[arg-type]
        seen.append(status)
    assert seen == [
        "assessed",
        "assessed",
        "evacuation",
        "evacuation",
        "emergency_response",
        "emergency_response",
        "recovery",
        "closed",
    ]
    assert DISASTER.final == ("closed",)


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("declared", "evacuate"),
        ("assessed", "respond"),
        ("evacuation", "recover"),
        ("recovery", "assess"),
        ("closed", "assess"),
        ("emergency_response", "close"),
    ],
)
def test_a_step_out_of_order_is_refused_naming_the_allowed(status: str, action: str) -> None:
    with pytest.raises(TransitionRefused) as refused:
        DISASTER.step(status, action)  # type: ignore[arg-type]
    assert refused.value.details()["allowed"] == DISASTER.allowed_actions(status)  # type: ignore[arg-type]


def test_the_disaster_date_and_the_sk() -> None:
    check_declaration(date(2026, 2, 8), date(2026, 2, 9), "360/1/2026", "tanggap_darurat", TODAY)
    check_declaration(TODAY, None, None, None, TODAY)
    with pytest.raises(RuleViolation) as future:
        check_declaration(date(2026, 3, 3), None, None, None, TODAY)
    assert (future.value.field, future.value.rule) == ("body.occurred_on", "not_in_future")
    with pytest.raises(RuleViolation) as before:
        check_declaration(
            date(2026, 2, 8), date(2026, 2, 7), "360/1/2026", "tanggap_darurat", TODAY
        )
    assert before.value.rule == "before_disaster"
    # An alert (siaga darurat) is declared ahead of the disaster.
    check_declaration(date(2026, 2, 8), date(2026, 1, 15), "360/1/2026", "siaga", TODAY)
    with pytest.raises(RuleViolation) as half:
        check_declaration(date(2026, 2, 8), date(2026, 2, 9), None, None, TODAY)
    assert (half.value.field, half.value.rule) == ("body.status_sk_number", "sk_incomplete")


def test_the_smallest_area_holding_the_desa() -> None:
    assert smallest_area(["64.02.06.2012"]) == "64.02.06.2012"
    assert smallest_area(["64.02.06.2012", "64.02.06.2001"]) == "64.02.06"
    assert smallest_area(["64.02.06.2012", "64.02.07.2001"]) == "64.02"
    assert smallest_area(["64.02.06.2012", "64.03.07.2001"]) == "64"
    with pytest.raises(RuleViolation) as apart:
        smallest_area(["64.02.06.2012", "63.03.07.2001"])
    assert apart.value.rule == "several_provinsi"
    with pytest.raises(RuleViolation) as twice:
        check_affected_desa(["64.02.06.2012", "64.02.06.2001", "64.02.06.2012"])
    assert (twice.value.field, twice.value.rule) == ("body.affected_desa[2]", "duplicate_desa")


def test_step_dates_in_order_and_not_in_the_future() -> None:
    check_step_date(date(2026, 2, 10), TODAY, date(2026, 2, 10), "body.on")
    with pytest.raises(RuleViolation) as before:
        check_step_date(date(2026, 2, 9), TODAY, date(2026, 2, 10), "body.on")
    assert before.value.rule == "before_previous_step"
    with pytest.raises(RuleViolation) as future:
        check_step_date(date(2026, 3, 3), TODAY, date(2026, 2, 10), "body.on")
    assert future.value.rule == "not_in_future"


def test_evacuated_within_those_needing_it() -> None:
    check_evacuated(40, 40)
    with pytest.raises(RuleViolation) as over:
        check_evacuated(41, 40)
    assert (over.value.field, over.value.rule) == ("body.evacuated", "exceeds_needing_evacuation")
    check_needing(40, 40)
    with pytest.raises(RuleViolation) as below:
        check_needing(39, 40)
    assert below.value.rule == "below_evacuated"


def test_school_age_on_the_disaster_date() -> None:
    day = date(2026, 2, 8)
    assert age_on(date(2021, 2, 8), day) == 5
    assert age_on(date(2021, 2, 9), day) == 4
    assert school_age(date(2021, 2, 9), day) is None
    assert school_age(date(2021, 2, 8), day) == 5
    assert school_age(date(2007, 2, 9), day) == 18  # 19 tomorrow
    assert school_age(date(2007, 2, 8), day) is None  # 19 today
    assert school_age(date(2026, 3, 1), day) is None  # born after it


def test_reach_is_capped_at_the_population() -> None:
    assert reach(50, 200) == 0.25
    assert reach(300, 200) == 1.0
    assert reach(0, 200) == 0.0
    assert reach(5, 0) == 0.0
