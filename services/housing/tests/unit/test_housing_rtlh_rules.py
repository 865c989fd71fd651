"""The RTLH case workflow and its rules, pure: every step and every wrong one, the priority,
the aid window, plausible amounts and years, land a house is not aided on."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from simpul_housing.domain.rtlh import (
    DEFAULT_AID_AMOUNTS,
    DEFAULT_DECILE_POINTS,
    DEFAULT_KAWASAN_WEIGHTS,
    DEFAULT_REFUSED_LAND,
    OPEN_STATUSES,
    REFERRAL_OUTCOME,
    RTLH,
    PreviousAid,
    PriorityWeights,
    RejectionReason,
    RtlhAction,
    RtlhStatus,
    blocking_aid,
    check_aid_year,
    check_amount,
    check_land,
    check_proposal_year,
    is_rtlh,
    priority,
    within_window,
)
from simpul_housing.settings import HousingSettings
from simpul_platform.domain import RuleViolation, TransitionRefused
from simpul_platform.referrals.catalogue import HOUSING

pytestmark = pytest.mark.unit

# The whole table: from each status, the actions allowed and where each leads.
TABLE: dict[RtlhStatus | None, dict[str, str]] = {
    None: {"report": "reported"},
    "reported": {"survey": "surveyed", "reject": "rejected"},
    "surveyed": {"verify": "verified", "reject": "rejected"},
    "verified": {"prioritise": "prioritised", "reject": "rejected"},
    "prioritised": {"propose": "proposed", "reject": "rejected"},
    "proposed": {"assign": "assigned", "reject": "rejected"},
    "assigned": {"start_construction": "in_construction"},
    "in_construction": {"handle": "handled"},
    "handled": {"handle": "handled", "mark_rlh": "rlh"},
    "rlh": {},
    "rejected": {},
}


@pytest.mark.parametrize("status", list(TABLE))
@pytest.mark.parametrize("action", get_args(RtlhAction))
def test_every_step_and_every_wrong_one(status: RtlhStatus | None, action: RtlhAction) -> None:
    allowed = TABLE[status]
    if action in allowed:
        assert RTLH.next(status, action) == allowed[action]
        return
    with pytest.raises(TransitionRefused) as refused:
        RTLH.next(status, action)
    details = refused.value.details()
    assert details["current_status"] == status
    assert details["allowed"] == list(allowed)


def test_a_case_ends_livable_or_rejected() -> None:
    assert set(RTLH.final) == {"rlh", "rejected"}
    assert set(OPEN_STATUSES) == set(TABLE) - {None, "rlh", "rejected"}
    status = RTLH.next(None, "report")
    for action in ("survey", "verify", "prioritise", "propose", "assign"):
        status = RTLH.next(status, action)
    for action in ("start_construction", "handle", "mark_rlh"):
        status = RTLH.next(status, action)
    assert status == "rlh"


def test_the_open_case_index_matches_the_workflow() -> None:
    from simpul_housing.models import OPEN_RTLH

    assert OPEN_RTLH == "status NOT IN ('rlh', 'rejected')"


def test_every_end_resolves_a_referral_with_a_housing_outcome() -> None:
    outcomes = {c.code for c in HOUSING.outcomes}
    ends = {"rlh", *get_args(RejectionReason)}
    assert set(REFERRAL_OUTCOME) == ends
    assert set(REFERRAL_OUTCOME.values()) <= outcomes


@pytest.mark.parametrize(
    ("rule_set", "pupr", "rutilahu", "rtlh"),
    [("pupr", True, False, True), ("pupr", False, True, False), ("rutilahu", False, True, True)],
)
def test_the_verdict_is_the_rule_sets(
    rule_set: str, pupr: bool, rutilahu: bool, rtlh: bool
) -> None:
    assert is_rtlh(rule_set, pupr, rutilahu) is rtlh  # type: ignore[arg-type]


WEIGHTS = PriorityWeights(DEFAULT_KAWASAN_WEIGHTS, DEFAULT_DECILE_POINTS, unknown_decile=5)


@pytest.mark.parametrize(
    ("kawasan", "decile", "expected"),
    [
        (["stunting"], 1, 80),
        (["stunting", "kemiskinan_ekstrim"], 2, 100),
        (["stunting", "stunting"], 6, 30),  # an area counts once; decile 6+: no points
        ([], None, 5),  # social has not assessed the household
        (["pariwisata"], 5, 15),
    ],
)
def test_the_priority_weighs_kawasan_and_decile(
    kawasan: list[str], decile: int | None, expected: int
) -> None:
    assert priority(kawasan, decile, WEIGHTS) == expected


def test_poorer_and_stunting_first() -> None:
    assert priority(["stunting"], 1, WEIGHTS) > priority(["stunting"], 4, WEIGHTS)
    assert priority(["stunting"], 3, WEIGHTS) > priority([], 3, WEIGHTS)


@pytest.mark.parametrize(
    ("previous", "year", "inside"),
    [(2016, 2026, False), (2017, 2026, True), (2026, 2026, True), (2027, 2026, True)],
)
def test_the_aid_window(previous: int, year: int, inside: bool) -> None:
    assert within_window(previous, year, 10) is inside


def test_the_blocking_aid_is_the_latest_inside_the_window() -> None:
    recorded = PreviousAid(2019, "bsps", aid_id="a1")
    declared = PreviousAid(2019, None, assessment_id="s1")
    old = PreviousAid(2010, "apbd", aid_id="a0")
    assert blocking_aid([old, declared, recorded], 2026, 10) == recorded
    assert blocking_aid([old], 2026, 10) is None
    assert blocking_aid([declared], 2026, 5) is None
    assert recorded.describe() == "BSPS aid a1 in 2019"
    assert "declared in a survey" in declared.describe()


@pytest.mark.parametrize(
    ("program", "amount", "ok"),
    [
        ("bsps", 20_000_000, True),  # BSPS PK
        ("bsps", 35_000_000, True),  # BSPS PB
        ("bsps", 2_000_000, False),  # a zero missing
        ("bsps", 200_000_000, False),  # a zero too many
        ("baznas", 5_000_000, True),
        ("csr", 150_000_000, False),
    ],
)
def test_an_aid_amount_is_plausible_for_its_programme(program: str, amount: int, ok: bool) -> None:
    if ok:
        check_amount(program, amount, DEFAULT_AID_AMOUNTS)
        return
    with pytest.raises(RuleViolation) as broken:
        check_amount(program, amount, DEFAULT_AID_AMOUNTS)
    assert (broken.value.field, broken.value.rule) == ("body.amount", "amount_implausible")


def test_aid_and_proposal_years_are_near_the_step() -> None:
    on = date(2026, 4, 1)
    for year in (2025, 2026, 2027):
        check_aid_year(year, on)
    with pytest.raises(RuleViolation) as broken:
        check_aid_year(2028, on)
    assert broken.value.rule == "aid_year_out_of_range"
    for year in (2026, 2028):
        check_proposal_year(year, on)
    for year in (2025, 2029):
        with pytest.raises(RuleViolation):
            check_proposal_year(year, on)


@pytest.mark.parametrize("land", ["tanah_ilegal", "tanah_negara"])
def test_illegal_or_state_land_is_not_aided(land: str) -> None:
    check_land("milik_sendiri", DEFAULT_REFUSED_LAND)
    with pytest.raises(RuleViolation) as broken:
        check_land(land, DEFAULT_REFUSED_LAND)
    assert (broken.value.field, broken.value.rule) == ("house.land_status", "land_not_eligible")


def test_the_settings_carry_the_defaults_and_take_overrides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = HousingSettings()
    assert settings.aid_repeat_years == 10 and settings.rtlh_rule_set == "pupr"
    assert settings.aid_amount_range["bsps"] == (10_000_000, 40_000_000)
    monkeypatch.setenv("HOUSING_RTLH_DECILE_POINTS", '{"1": 99}')
    monkeypatch.setenv("HOUSING_AID_AMOUNT_RANGE", '{"bsps": [15000000, 35000000]}')
    changed = HousingSettings()
    assert changed.rtlh_decile_points == {1: 99}
    assert changed.aid_amount_range["bsps"] == (15_000_000, 35_000_000)
