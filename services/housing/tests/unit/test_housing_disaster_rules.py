"""The disaster-house and relocation workflows, the class ↔ handling fit, the SK's planned
year and the recipient criteria: pure rules, every step and every wrong one."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from simpul_housing.domain.disaster import (
    DISASTER_HOUSE,
    HANDLING_FITS,
    Damage,
    DisasterAction,
    DisasterStatus,
    assess_action,
    check_handling,
    check_planned_year,
    fixed_on,
    handlings_for,
    not_before,
)
from simpul_housing.domain.relocation import (
    RELOCATION,
    RelocationAction,
    RelocationStatus,
    check_action,
    check_criteria,
    unmet,
)
from simpul_platform.domain import RuleViolation, TransitionRefused

pytestmark = pytest.mark.unit

DISASTER_ALLOWED: dict[DisasterStatus | None, dict[DisasterAction, DisasterStatus]] = {
    None: {"report": "reported"},
    "reported": {"assess": "assessed", "assess_undetermined": "undetermined"},
    "assessed": {"assess": "assessed", "assess_undetermined": "undetermined", "fix": "fixed"},
    "undetermined": {"assess": "assessed", "assess_undetermined": "undetermined"},
    "fixed": {"handle": "in_handling"},
    "in_handling": {"complete": "completed"},
    "completed": {},
}
DISASTER_CASES = [
    (status, action) for status in DISASTER_ALLOWED for action in get_args(DisasterAction)
]


@pytest.mark.parametrize(("status", "action"), DISASTER_CASES)
def test_every_disaster_step_and_every_wrong_one(
    status: DisasterStatus | None, action: DisasterAction
) -> None:
    allowed = DISASTER_ALLOWED[status]
    if action in allowed:
        assert DISASTER_HOUSE.next(status, action) == allowed[action]
        return
    with pytest.raises(TransitionRefused) as refused:
        DISASTER_HOUSE.next(status, action)
    assert refused.value.details()["allowed"] == list(allowed)
    assert refused.value.details()["current_status"] == status


def test_an_undetermined_house_cannot_be_fixed_it_is_assessed_again_first() -> None:
    assert assess_action("belum_ditentukan") == "assess_undetermined"
    assert assess_action("rb") == "assess"
    with pytest.raises(TransitionRefused) as refused:
        DISASTER_HOUSE.next("undetermined", "fix")
    assert refused.value.details()["allowed"] == ["assess", "assess_undetermined"]
    assert DISASTER_HOUSE.final == ("completed",)


FITS = {
    ("rr", "rehabilitation"),
    ("rs", "rehabilitation"),
    ("rb", "rebuild"),
    ("rb", "relocation"),
    ("hilang", "relocation"),
    *((damage, "rental_access") for damage in ("rr", "rs", "rb", "hilang")),
}


@pytest.mark.parametrize("damage", get_args(Damage))
@pytest.mark.parametrize("handling", list(HANDLING_FITS))
def test_the_handling_must_fit_the_class(damage: str, handling: str) -> None:
    if (damage, handling) in FITS:
        check_handling(damage, handling)  # type: ignore[arg-type]
        assert handling in handlings_for(damage)
        return
    with pytest.raises(RuleViolation) as refused:
        check_handling(damage, handling)  # type: ignore[arg-type]
    assert (refused.value.field, refused.value.rule) == (
        "body.handling",
        "handling_does_not_fit_damage",
    )
    assert handling not in handlings_for(damage)


def test_what_each_class_allows() -> None:
    assert handlings_for("rr") == ["rehabilitation", "rental_access"]
    assert handlings_for("rb") == ["rebuild", "relocation", "rental_access"]
    assert handlings_for("hilang") == ["relocation", "rental_access"]
    assert handlings_for("belum_ditentukan") == []


@pytest.mark.parametrize(("year", "ok"), [(2025, False), (2026, True), (2031, True), (2032, False)])
def test_the_planned_year_is_the_sks_or_a_few_after(year: int, ok: bool) -> None:
    sk_date = date(2026, 2, 20)
    if ok:
        check_planned_year(year, sk_date)
        return
    with pytest.raises(RuleViolation) as refused:
        check_planned_year(year, sk_date)
    assert refused.value.rule == "planned_year_out_of_range"


def test_a_house_is_fixed_on_the_sk_date_or_when_assessed_after_it() -> None:
    sk = date(2026, 2, 20)
    assert fixed_on(sk, date(2026, 2, 10)) == sk
    assert fixed_on(sk, date(2026, 3, 1)) == date(2026, 3, 1)


def test_steps_stay_in_date_order() -> None:
    not_before(date(2026, 3, 1), date(2026, 3, 1), "body.on", "the report")
    not_before(date(2026, 3, 1), None, "body.on", "the report")
    with pytest.raises(RuleViolation) as refused:
        not_before(date(2026, 2, 28), date(2026, 3, 1), "body.on", "the report")
    assert (refused.value.field, refused.value.rule) == ("body.on", "before_previous_step")


RELOCATION_ALLOWED: dict[RelocationStatus | None, dict[RelocationAction, RelocationStatus]] = {
    None: {"register": "affected"},
    "affected": {"qualify": "eligible", "disqualify": "not_eligible"},
    "eligible": {"facilitate": "facilitated"},
    "not_eligible": {},
    "facilitated": {"house": "housed"},
    "housed": {},
}


@pytest.mark.parametrize(
    ("status", "action"),
    [(s, a) for s in RELOCATION_ALLOWED for a in get_args(RelocationAction)],
)
def test_every_relocation_step_and_every_wrong_one(
    status: RelocationStatus | None, action: RelocationAction
) -> None:
    allowed = RELOCATION_ALLOWED[status]
    if action in allowed:
        assert RELOCATION.next(status, action) == allowed[action]
        return
    with pytest.raises(TransitionRefused) as refused:
        RELOCATION.next(status, action)
    assert refused.value.details()["allowed"] == list(allowed)


CRITERIA = ("in_affected_area", "no_other_livable_house", "mbr")


def test_a_household_meeting_every_criterion_is_eligible() -> None:
    answers = dict.fromkeys(CRITERIA, True)
    assert check_criteria(answers, CRITERIA) is True
    assert check_action(True) == "qualify" and unmet(answers, CRITERIA) == []


def test_one_criterion_not_met_makes_it_not_eligible_and_says_which() -> None:
    answers = {**dict.fromkeys(CRITERIA, True), "mbr": False}
    assert check_criteria(answers, CRITERIA) is False
    assert check_action(False) == "disqualify" and unmet(answers, CRITERIA) == ["mbr"]


@pytest.mark.parametrize(
    ("answers", "field", "rule"),
    [
        (
            {"in_affected_area": True, "mbr": True},
            "body.criteria.no_other_livable_house",
            "criterion_missing",
        ),
        (
            {**dict.fromkeys(CRITERIA, True), "owns_car": False},
            "body.criteria.owns_car",
            "unknown_criterion",
        ),
    ],
)
def test_every_criterion_is_answered_and_no_other(
    answers: dict[str, bool], field: str, rule: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_criteria(answers, CRITERIA)
    assert (refused.value.field, refused.value.rule) == (field, rule)


def test_the_criteria_are_the_deployments_data() -> None:
    own = ("in_affected_area", "registered_in_dtsen")
    assert check_criteria({"in_affected_area": True, "registered_in_dtsen": True}, own) is True
