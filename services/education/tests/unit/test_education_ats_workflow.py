"""The ATS case workflow and its rules, pure."""

from __future__ import annotations

import pytest

from simpul_education.domain.ats import (
    ATS,
    check_age,
    check_category,
    needs_social_referral,
)
from simpul_platform.domain import RuleViolation, TransitionRefused

pytestmark = pytest.mark.unit


def test_a_case_goes_from_detection_to_enrolment_one_step_at_a_time() -> None:
    status = ATS.next(None, "detect")
    for action in ("classify", "verify", "refer", "enroll"):
        status = ATS.next(status, action)
    assert status == "enrolled"
    assert set(ATS.final) == {"enrolled", "closed_not_eligible", "residu"}


def test_a_wrong_step_names_the_allowed_ones() -> None:
    with pytest.raises(TransitionRefused) as refused:
        ATS.next("detected", "refer")
    details = refused.value.details()
    assert details["current_status"] == "detected"
    assert details["allowed"] == ["classify", "close", "mark_residu"]
    with pytest.raises(TransitionRefused):
        ATS.next("enrolled", "close")


def test_residu_until_referred_and_not_eligible_until_enrolled() -> None:
    for status in ("detected", "classified", "verified"):
        assert ATS.next(status, "mark_residu") == "residu"
    with pytest.raises(TransitionRefused):
        ATS.next("referred", "mark_residu")  # referred: the child was found
    for status in ("detected", "classified", "verified", "referred"):
        assert ATS.next(status, "close") == "closed_not_eligible"


@pytest.mark.parametrize(("age", "ok"), [(6, False), (7, True), (18, True), (19, False)])
def test_an_ats_case_is_about_a_child_of_school_age(age: int, ok: bool) -> None:
    if ok:
        check_age(age)
    else:
        with pytest.raises(RuleViolation) as broken:
            check_age(age)
        assert broken.value.rule == "ats_age"


def test_bpb_is_for_a_child_never_enrolled() -> None:
    check_category("bpb", ever_enrolled=False)
    check_category("do", ever_enrolled=True)
    with pytest.raises(RuleViolation) as broken:
        check_category("bpb", ever_enrolled=True)
    assert broken.value.rule == "bpb_but_enrolled_before"


def test_an_economic_problem_is_also_socials() -> None:
    assert needs_social_referral("ekonomi")
    assert not any(needs_social_referral(p) for p in ("sosial", "kesehatan", "lainnya"))
