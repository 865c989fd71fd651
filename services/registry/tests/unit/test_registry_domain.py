"""Pure rules: NIK, registration numbers, the lifecycle, progress."""

from __future__ import annotations

import re
from datetime import date

import pytest

from simpul_platform.domain import RuleViolation, TransitionRefused
from simpul_platform.errors import transition_refused
from simpul_platform.identity import MAN_NIK_PATTERN, NIK_PATTERN, WOMAN_NIK_PATTERN
from simpul_registry.domain.lifecycle import LIFECYCLE, Action, Status
from simpul_registry.domain.nik import check_gender, check_nik
from simpul_registry.domain.progress import progress
from simpul_registry.domain.registration import check_registration_number

pytestmark = pytest.mark.unit
GENDER_DAY_PATTERN = {"L": MAN_NIK_PATTERN, "P": WOMAN_NIK_PATTERN}
TODAY = date(2025, 10, 1)


def test_a_mans_nik_gives_birth_date_and_region() -> None:
    facts = check_nik("6402061708850001", today=TODAY)
    assert (facts.gender, facts.birth_date, facts.region_code) == ("L", date(1985, 8, 17),
                                                                  "64.02.06")


def test_a_womans_nik_has_forty_added_to_the_day() -> None:
    facts = check_nik("6402065708850002", today=TODAY)  # day 57 = 17 + 40
    assert facts.gender == "P" and facts.birth_date == date(1985, 8, 17)
    with pytest.raises(RuleViolation) as wrong:
        check_gender(facts, "L")
    assert wrong.value.rule == "nik_gender_mismatch"


@pytest.mark.parametrize(("nik", "rule"), [
    ("6402063213850001", "nik_birth_date"),   # day 32
    ("6402067213850001", "nik_birth_date"),   # day 72 - 40 = 32
    ("6402063102850001", "nik_birth_date"),   # 31 February
    ("9902061708850001", "nik_unknown_province"),
    ("6400001708850001", "nik_wilayah"),
    ("6402061708850000", "nik_serial"),
    ("64020617088500", "nik_format"),
    ("6402061712250001", "not_in_future"),  # 17-12-2025, after TODAY
])
def test_invalid_niks_name_their_rule(nik: str, rule: str) -> None:
    with pytest.raises(RuleViolation) as broken:
        check_nik(nik, today=TODAY)
    assert (broken.value.field, broken.value.rule) == ("nik", rule)

    # The OpenAPI pattern refuses the same NIKs, but for one only today's date can refuse.
    calendar_only = {"6402061712250001"}  # after TODAY
    assert (re.fullmatch(NIK_PATTERN, nik) is not None) == (nik in calendar_only)


def test_the_nik_patterns_accept_what_check_nik_accepts() -> None:
    for nik, gender in [("6402061708850001", "L"), ("6402065708850002", "P")]:
        assert check_nik(nik, today=TODAY).gender == gender
        assert re.fullmatch(NIK_PATTERN, nik) and re.match(GENDER_DAY_PATTERN[gender], nik)
        assert not re.match(GENDER_DAY_PATTERN["P" if gender == "L" else "L"], nik)


def test_registration_number_must_start_with_the_desa_code() -> None:
    assert check_registration_number(" 64.02.06.2012.001 ", "64.02.06.2012") == "64.02.06.2012.001"
    for number, rule in [("64.02.06.2014.001", "desa_mismatch"), ("6402062012001", "format"),
                         ("64.02.06.2012.000", "sequence")]:
        with pytest.raises(RuleViolation) as broken:
            check_registration_number(number, "64.02.06.2012")
        assert broken.value.rule == rule


def test_lifecycle_names_the_allowed_actions() -> None:
    assert LIFECYCLE.next(None, Action.create) is Status.draft
    assert LIFECYCLE.next(Status.draft, Action.submit) is Status.submitted
    assert LIFECYCLE.next(Status.inactive, Action.reactivate) is Status.registered
    assert set(LIFECYCLE.statuses) == set(Status) and LIFECYCLE.final == ()
    with pytest.raises(TransitionRefused) as refused:
        LIFECYCLE.step(Status.submitted, Action.register)
    assert [t.action for t in refused.value.allowed] == [Action.verify, Action.return_]
    problem = transition_refused(refused.value).to_problem()
    assert problem["status"] == 409 and problem["current_status"] == "submitted"
    assert problem["allowed"] == ["verify", "return"]
    assert problem["allowed_transitions"] == [{"action": "verify", "to": "verified"},
                                              {"action": "return", "to": "draft"}]
    assert problem["detail"] == ("Cannot register this posyandu: it is submitted; allowed: "
                                 "verify (→ verified), return (→ draft).")


def test_progress_counts_every_status_and_shares() -> None:
    figures = progress("64.02", {"registered": 3, "draft": 1}, 8)
    assert figures.counts == {"draft": 1, "submitted": 0, "verified": 0, "registered": 3,
                              "inactive": 0}
    assert (figures.total, figures.share_of_target, figures.share_of_total) == (4, 0.375, 0.75)
