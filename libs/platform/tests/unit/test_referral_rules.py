"""A referral's life and the catalogues' checks, the same in every field."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_platform.domain import RuleViolation, TransitionRefused
from simpul_platform.referrals.catalogue import (
    CATALOGUES,
    HEALTH,
    SOCIAL,
    catalogue_for,
    check_request,
)
from simpul_platform.referrals.domain import REFERRAL, is_overdue, resolved_on_time

pytestmark = pytest.mark.unit


def test_a_referral_is_accepted_rejected_or_resolved_and_then_ends() -> None:
    assert REFERRAL.next(None, "request") == "requested"
    assert REFERRAL.next("requested", "accept") == "accepted"
    assert REFERRAL.next("requested", "reject") == "rejected"
    assert REFERRAL.next("requested", "resolve") == "resolved"
    assert REFERRAL.next("accepted", "resolve") == "resolved"
    assert set(REFERRAL.final) == {"rejected", "resolved"}
    with pytest.raises(TransitionRefused) as refused:
        REFERRAL.next("accepted", "reject")
    assert refused.value.details()["allowed"] == ["resolve"]
    with pytest.raises(TransitionRefused):
        REFERRAL.next("resolved", "accept")


def test_overdue_is_open_after_the_due_date_and_on_time_is_resolved_by_it() -> None:
    due = date(2026, 3, 31)
    assert not is_overdue("requested", due, due)
    assert is_overdue("requested", due, date(2026, 4, 1))
    assert is_overdue("accepted", due, date(2026, 4, 1))
    assert not is_overdue("resolved", due, date(2026, 4, 1))
    assert not is_overdue("rejected", due, date(2026, 4, 1))
    assert resolved_on_time("resolved", due, due)
    assert not resolved_on_time("resolved", due, date(2026, 4, 1))
    assert not resolved_on_time("accepted", due, None)


def test_a_request_is_checked_against_its_target_s_catalogue() -> None:
    reason = check_request(
        SOCIAL, "bansos_need", person=False, household=True, details={"program": "pkh"}
    )
    assert reason.code == "bansos_need"
    check_request(
        HEALTH,
        "pregnancy_without_anc",
        person=True,
        household=False,
        details={"gestational_weeks": 14},
    )


@pytest.mark.parametrize(
    ("catalogue", "reason", "person", "household", "details", "where", "rule"),
    [
        (SOCIAL, "roof_leaking", False, True, {}, "reason_code", "unknown_reason"),
        (SOCIAL, "stunting_detected", True, True, {}, "reason_code", "automatic_reason"),
        (SOCIAL, "dtsen_assessment", True, False, {}, "subject", "subject_required"),
        (HEALTH, "lansia_not_screened", False, True, {}, "subject", "subject_required"),
        (SOCIAL, "ppks_case", False, False, {}, "subject", "subject_required"),
        (
            SOCIAL,
            "bansos_need",
            False,
            True,
            {"programme": "pkh"},
            "details.programme",
            "unknown_detail",
        ),
        (
            SOCIAL,
            "bansos_need",
            False,
            True,
            {"program": "zakat"},
            "details.program",
            "unknown_code",
        ),
        (
            HEALTH,
            "pregnancy_without_anc",
            True,
            False,
            {"gestational_weeks": 60},
            "details.gestational_weeks",
            "range",
        ),
        (
            HEALTH,
            "pregnancy_without_anc",
            True,
            False,
            {"gestational_weeks": "14"},
            "details.gestational_weeks",
            "int_type",
        ),
        (
            HEALTH,
            "child_not_weighed",
            True,
            False,
            {"last_weighed_on": "14/03/2026"},
            "details.last_weighed_on",
            "date_format",
        ),
    ],
)
def test_a_bad_request_names_the_field_and_the_rule(
    catalogue, reason, person, household, details, where, rule
) -> None:
    with pytest.raises(RuleViolation) as broken:
        check_request(catalogue, reason, person=person, household=household, details=details)
    assert (broken.value.field, broken.value.rule) == (where, rule)


def test_a_field_without_a_service_receives_no_referrals() -> None:
    assert catalogue_for("social") is SOCIAL
    with pytest.raises(RuleViolation) as broken:
        catalogue_for("pertanian")
    assert (broken.value.field, broken.value.rule) == ("target_field", "field_not_served")
    assert "health, housing, public_works, social, trantib" in broken.value.message


def test_every_catalogue_names_its_codes_once() -> None:
    for catalogue in CATALOGUES.values():
        for codes in (catalogue.reasons, catalogue.outcomes, catalogue.rejections):
            names = [c.code for c in codes]
            assert len(names) == len(set(names)), catalogue.field
        assert catalogue.outcome(catalogue.outcomes[0].code)
        assert catalogue.rejection("duplicate")
        with pytest.raises(RuleViolation):
            catalogue.outcome("nope")
