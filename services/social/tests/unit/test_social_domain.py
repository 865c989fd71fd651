"""Pure rules: periods, working days, workflows, the stunting decision."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from simpul_platform.domain import RuleViolation, TransitionRefused
from simpul_platform.referrals.catalogue import SOCIAL
from simpul_social.domain.dates import not_before
from simpul_social.domain.periods import bounds, current_periods, period_type_of
from simpul_social.domain.ppks import PPKS, check_outcome
from simpul_social.domain.reaction import decide
from simpul_social.domain.usulan import USULAN
from simpul_social.ops.priority import REFERRAL_OUTCOME
from simpul_social.schemas.priority import PriorityOutcome

pytestmark = pytest.mark.unit


def test_periods() -> None:
    assert period_type_of("2026") == "year"
    assert period_type_of("2026-Q4") == "quarter"
    assert period_type_of("2026-11") == "month"
    with pytest.raises(ValueError):
        period_type_of("2026-Q5")
    assert current_periods("month", date(2026, 1, 3)) == ("2026-01", "2025-12")
    assert current_periods("quarter", date(2026, 11, 23)) == ("2026-Q4",)
    assert current_periods("year", date(2026, 11, 23)) == ("2026",)
    assert bounds("2026-Q1") == (date(2026, 1, 1), date(2026, 3, 31))


def test_usulan_transitions() -> None:
    assert USULAN.next(None, "propose") == "proposed"
    assert USULAN.next("proposed", "verify") == "verified"
    assert USULAN.next("proposed", "reject") == "rejected"
    assert USULAN.next("verified", "validate") == "validated"
    with pytest.raises(TransitionRefused) as refused:
        USULAN.next("validated", "reject")
    assert refused.value.allowed == []
    with pytest.raises(TransitionRefused) as refused:
        USULAN.next("proposed", "validate")
    assert refused.value.details()["allowed"] == ["verify", "reject"]
    assert set(USULAN.final) == {"validated", "rejected"}


def test_ppks_transitions() -> None:
    assert PPKS.next(None, "identify") == "identified"
    assert PPKS.next("identified", "assess") == "assessed"
    assert PPKS.next("assessed", "serve") == "served"
    assert PPKS.next("served", "close") == "closed"
    with pytest.raises(TransitionRefused) as refused:
        PPKS.next("identified", "serve")
    assert refused.value.details()["allowed"] == ["assess", "close"]
    with pytest.raises(RuleViolation) as broken:
        check_outcome("assessed", "rehabilitated")
    assert (broken.value.field, broken.value.rule) == ("body.outcome", "not_served")
    check_outcome("assessed", "moved_away")
    check_outcome("served", "rehabilitated")


def test_a_step_is_not_dated_before_the_one_it_follows() -> None:
    not_before(date(2026, 11, 2), date(2026, 11, 2), "body.served_on", "assessment")
    not_before(date(2026, 11, 2), None, "body.served_on", "assessment")
    with pytest.raises(RuleViolation) as broken:
        not_before(date(2026, 11, 1), date(2026, 11, 2), "body.served_on", "assessment")
    assert broken.value.rule == "before_previous_step"


def test_stunting_decision() -> None:
    assert decide(household_known=False, decile=None, receiving_programs=()).lead_reason == (
        "household_unknown"
    )
    assert decide(household_known=True, decile=None, receiving_programs=()).decision == (
        "unmatched"
    )
    assert decide(household_known=True, decile=5, receiving_programs=()).decision == (
        "not_priority_decile"
    )
    assert decide(household_known=True, decile=4, receiving_programs={"PKH"}).decision == (
        "receiving_bansos"
    )
    assert decide(household_known=True, decile=4, receiving_programs=()).decision == ("case_opened")


def test_every_priority_outcome_ends_its_referral_with_a_catalogue_outcome() -> None:
    assert set(REFERRAL_OUTCOME) == set(get_args(PriorityOutcome))
    for outcome in REFERRAL_OUTCOME.values():
        assert SOCIAL.outcome(outcome).code == outcome
