"""Which kader a month's incentive roster includes, and the first reason for the others."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_registry.domain.roster import Exclusion, KaderMonth, RosterRules, exclusion

pytestmark = pytest.mark.unit
FIRST, LAST = date(2026, 5, 1), date(2026, 5, 31)
RULES = RosterRules(min_days=1, registered_only=True, inactive_months=3)


def kader(**changes: object) -> KaderMonth:
    base: dict[str, object] = {
        "registered": True, "start": date(2025, 1, 1), "end": None,
        "last_present": date(2026, 5, 12), "days_present": 1,
    }  # fmt: skip
    return KaderMonth(**(base | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, None),
        ({"registered": False}, Exclusion.posyandu_not_registered),
        ({"start": date(2026, 6, 1)}, Exclusion.not_appointed),
        ({"end": date(2026, 4, 30)}, Exclusion.not_appointed),
        ({"end": date(2026, 5, 1)}, None),  # ended within May, after attending
        ({"start": date(2026, 5, 31), "last_present": None, "days_present": 0},
         Exclusion.too_few_days),
        ({"last_present": date(2026, 2, 28), "days_present": 0}, Exclusion.inactive),
        ({"last_present": date(2026, 3, 1), "days_present": 0}, Exclusion.too_few_days),
        ({"last_present": None, "days_present": 0}, Exclusion.inactive),
        ({"registered": False, "last_present": None}, Exclusion.posyandu_not_registered),
    ],
)  # fmt: skip
def test_registry_roster_exclusion(changes: dict[str, object], reason: Exclusion | None) -> None:
    assert exclusion(kader(**changes), FIRST, LAST, RULES) == reason


def test_registry_roster_rules_from_settings() -> None:
    anyone = RosterRules(min_days=2, registered_only=False, inactive_months=3)
    assert exclusion(kader(registered=False, days_present=2), FIRST, LAST, anyone) is None
    assert exclusion(kader(days_present=1), FIRST, LAST, anyone) == Exclusion.too_few_days
