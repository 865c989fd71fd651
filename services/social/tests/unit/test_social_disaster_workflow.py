"""Disaster protection cases: the workflow's steps and refusals, the service rules, what counts
as protected, and how trantib's events are read into cases."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_platform.domain import RuleViolation, TransitionRefused
from simpul_social.domain.disaster import (
    DISASTER_PROTECTION,
    check_services,
    given,
    protected,
)
from simpul_social.events import DisasterAssessed, FireAttended
from simpul_social.ops.disaster_intake import from_disaster, from_fire

pytestmark = pytest.mark.unit
HOUSEHOLD = {
    "household_ref": "ref-1",
    "posyandu_id": "p-1",
    "desa_code": "64.02.06.2012",
    "damage": "rb",
    "displaced": True,
    "members": 4,
}


def test_the_path_from_opening_to_closing() -> None:
    status = DISASTER_PROTECTION.next(None, "open")
    assert status == "opened"
    for action, expected in [
        ("serve_emergency", "emergency_served"),
        ("serve_emergency", "emergency_served"),  # another day's help
        ("serve_recovery", "recovery_served"),
        ("serve_recovery", "recovery_served"),
        ("close", "closed"),
    ]:
        status = DISASTER_PROTECTION.next(status, action)  # type: ignore[arg-type]
        assert status == expected
    assert DISASTER_PROTECTION.final == ("closed",)


@pytest.mark.parametrize("status", ["opened", "emergency_served"])
def test_a_household_may_be_declined_before_recovery(status: str) -> None:
    assert DISASTER_PROTECTION.next(status, "decline") == "closed"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    [
        ("opened", "serve_recovery", ["serve_emergency", "decline"]),
        ("opened", "close", ["serve_emergency", "decline"]),
        ("recovery_served", "serve_emergency", ["serve_recovery", "close"]),
        ("recovery_served", "decline", ["serve_recovery", "close"]),
        ("closed", "serve_emergency", []),
    ],
)
def test_a_refused_step_names_the_allowed_ones(
    status: str, action: str, allowed: list[str]
) -> None:
    with pytest.raises(TransitionRefused) as refused:
        DISASTER_PROTECTION.next(status, action)  # type: ignore[arg-type]
    assert refused.value.details()["allowed"] == allowed
    assert refused.value.details()["current_status"] == status


def test_protected_once_emergency_services_reached_the_household() -> None:
    assert not protected(None)
    assert protected(date(2026, 2, 10))


def test_services_are_named_once_each_and_at_least_one() -> None:
    check_services(["permakanan", "sandang"])
    with pytest.raises(RuleViolation) as none:
        check_services([])
    assert (none.value.field, none.value.rule) == ("body.services", "no_services")
    with pytest.raises(RuleViolation) as twice:
        check_services(["permakanan", "sandang", "permakanan"])
    assert twice.value.rule == "service_repeated" and "permakanan" in twice.value.message
    assert given(["sandang"], "emergency", date(2026, 2, 9)) == [
        {"service": "sandang", "stage": "emergency", "on": "2026-02-09"}
    ]


def test_a_disaster_assessment_is_read_with_its_households() -> None:
    view = DisasterAssessed.model_validate(
        {
            "disaster_id": "d-1",
            "kind": "banjir",
            "name": "Banjir Tenggarong",
            "occurred_on": "2026-02-08",
            "assessed_on": "2026-02-10",
            "wilayah_code": "64.02.06",
            "counts": {"displaced": 1},
            "households": [HOUSEHOLD],
        }
    )
    struck = from_disaster(view)
    assert (struck.source, struck.source_event_id, struck.kind) == (
        "trantib_disaster",
        "d-1",
        "banjir",
    )
    assert struck.opened_on == date(2026, 2, 10) and struck.occurred_on == date(2026, 2, 8)
    assert struck.households[0].damage == "rb" and struck.households[0].members == 4


def test_a_fire_is_read_with_its_damaged_households() -> None:
    view = FireAttended.model_validate(
        {
            "incident_id": "f-1",
            "posyandu_id": "p-1",
            "desa_code": "64.02.06.2012",
            "occurred_on": "2026-03-02",
            "response_seconds": 750,
            "damaged_households": [HOUSEHOLD],
        }
    )
    struck = from_fire(view)
    assert (struck.source, struck.kind, struck.name) == ("trantib_fire", "kebakaran", None)
    assert struck.opened_on == date(2026, 3, 2) and len(struck.households) == 1
