"""Satlinmas rules: appointment requirements (age or married, education, service age, the
NIK's birth date), serving on a day (service age, extension, end), the extension's limits and
window, a desa's strength and its flags, a patrol's crew; APAR expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from simpul_platform.domain import RuleViolation
from simpul_trantib.domain.apar import check_dates, is_expired
from simpul_trantib.domain.linmas import (
    SQUADS,
    Candidate,
    LinmasRules,
    age_on,
    birthday,
    born_by,
    check_appointment,
    check_extension,
    check_patrol_crew,
    serves_on,
    service_ends_on,
    strength,
)
from simpul_trantib.settings import Education

pytestmark = pytest.mark.unit
RULES = LinmasRules()
APPOINTED = date(2026, 3, 2)


def nik_for(birth: date, serial: int = 1, woman: bool = False) -> str:
    day = birth.day + 40 if woman else birth.day
    return f"640206{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def candidate(
    birth: date, married: bool = False, education: Education = "smp", woman: bool = False
) -> Candidate:
    return Candidate(nik_for(birth, woman=woman), birth, married, education, APPOINTED, APPOINTED)


def refused(person: Candidate) -> tuple[str, str]:
    with pytest.raises(RuleViolation) as caught:
        check_appointment(person, RULES)
    return caught.value.field, caught.value.rule


@dataclass
class Member:
    birth_date: date
    appointed_on: date = date(2020, 1, 6)
    extended_until: date | None = None
    ended_on: date | None = None


def test_an_unmarried_17_year_old_is_refused_a_married_one_accepted() -> None:
    seventeen = date(2008, 6, 1)
    assert age_on(seventeen, APPOINTED) == 17
    assert refused(candidate(seventeen)) == ("body.birth_date", "below_min_age")
    check_appointment(candidate(seventeen, married=True), RULES)
    check_appointment(candidate(date(2008, 3, 2)), RULES)  # 18 on the appointment day
    assert refused(candidate(date(2012, 1, 1), married=True)) == (
        "body.birth_date",
        "below_min_age",
    )


def test_service_age_and_education_are_refused() -> None:
    assert refused(candidate(date(1966, 3, 2))) == ("body.birth_date", "at_service_age")
    check_appointment(candidate(date(1966, 3, 3)), RULES)  # 59 for one more day
    assert refused(candidate(date(1990, 1, 1), education="tidak_sekolah")) == (
        "body.education",
        "below_min_education",
    )
    check_appointment(candidate(date(1990, 1, 1), education="sd"), RULES)
    stricter = LinmasRules(min_education="smp")
    with pytest.raises(RuleViolation, match="smp"):
        check_appointment(candidate(date(1990, 1, 1), education="sd"), stricter)


def test_the_nik_encodes_the_birth_date_a_woman_s_day_plus_40() -> None:
    check_appointment(candidate(date(1990, 5, 15), woman=True), RULES)
    wrong = Candidate(
        nik_for(date(1990, 5, 16)), date(1990, 5, 15), True, "sma", APPOINTED, APPOINTED
    )
    assert refused(wrong) == ("body.birth_date", "nik_birth_date_mismatch")
    early = Candidate(
        nik_for(date(1990, 5, 15)), date(1990, 5, 15), True, "sma", APPOINTED, date(2026, 3, 1)
    )
    assert refused(early) == ("body.appointed_on", "before_sk_date")


def test_a_member_stops_serving_on_the_60th_birthday_unless_extended() -> None:
    member = Member(date(1966, 7, 10))
    assert serves_on(member, date(2026, 7, 9), RULES)
    assert not serves_on(member, date(2026, 7, 10), RULES)
    assert service_ends_on(member, RULES) == date(2026, 7, 10)
    extended = Member(date(1966, 7, 10), extended_until=date(2028, 12, 31))
    assert serves_on(extended, date(2028, 12, 31), RULES)
    assert not serves_on(extended, date(2029, 1, 1), RULES)
    ended = Member(date(1990, 1, 1), ended_on=date(2026, 2, 1))
    assert serves_on(ended, date(2026, 1, 31), RULES)
    assert not serves_on(ended, date(2026, 2, 1), RULES)
    assert not serves_on(Member(date(1990, 1, 1), appointed_on=date(2026, 4, 1)), APPOINTED, RULES)


def test_a_leap_day_birth_reaches_an_age_on_1_march_and_sql_agrees() -> None:
    leap = date(1964, 2, 29)
    assert birthday(leap, 61) == date(2025, 3, 1)
    assert age_on(leap, date(2025, 2, 28)) == 60 and age_on(leap, date(2025, 3, 1)) == 61
    for day in (date(2024, 2, 28), date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1)):
        for birth in (date(1964, 2, 28), leap, date(1964, 3, 1), date(1965, 2, 28)):
            younger = age_on(birth, day) < 60
            assert younger == (birth > born_by(day, 60)), (birth, day)


def test_an_extension_runs_past_60_to_65_at_most_decided_within_a_year_of_60() -> None:
    member = Member(date(1966, 7, 10))
    check_extension(member, date(2031, 7, 10), date(2026, 1, 5), RULES)
    cases = [
        (date(2031, 7, 11), date(2026, 1, 5), ("body.until", "past_extended_age")),
        (date(2026, 7, 9), date(2026, 1, 5), ("body.until", "before_service_age")),
        (date(2030, 1, 1), date(2025, 7, 9), ("body.extended_on", "outside_extension_window")),
        (date(2030, 1, 1), date(2027, 7, 11), ("body.extended_on", "outside_extension_window")),
    ]
    for until, decided, expected in cases:
        with pytest.raises(RuleViolation) as caught:
            check_extension(member, until, decided, RULES)
        assert (caught.value.field, caught.value.rule) == expected
    check_extension(member, date(2030, 1, 1), date(2027, 7, 10), RULES)  # a late SK still


def test_strength_flags_under_strength_and_empty_squads() -> None:
    nine = strength(["keamanan"] * 5 + ["peringatan_dini"] * 4, RULES)
    assert (nine.members, nine.under_strength) == (9, True)
    assert nine.empty_squads == ["pertolongan_pertama", "penyelamatan_evakuasi", "dapur_umum"]
    full = strength([*SQUADS, *SQUADS], RULES)
    assert (full.members, full.under_strength, full.empty_squads) == (10, False, [])
    assert full.by_squad == {squad: 2 for squad in SQUADS}
    nobody = strength([], RULES)
    assert (nobody.members, nobody.under_strength, nobody.empty_squads) == (0, True, list(SQUADS))


def test_a_patrol_names_its_members_or_counts_residents() -> None:
    assert check_patrol_crew(["a", "b"], None) == 2
    assert check_patrol_crew(["a"], 5) == 5
    assert check_patrol_crew([], 7) == 7
    for ids, present, rule in (
        ([], None, "nobody_present"),
        (["a", "b"], 1, "fewer_than_named"),
        (["a", "a"], None, "repeated_member"),
    ):
        with pytest.raises(RuleViolation) as caught:
            check_patrol_crew(ids, present)
        assert caught.value.rule == rule


def test_an_apar_is_expired_the_day_after_its_expiry() -> None:
    assert not is_expired(date(2026, 3, 2), date(2026, 3, 2))
    assert is_expired(date(2026, 3, 1), date(2026, 3, 2))
    check_dates(date(2026, 1, 1), date(2027, 1, 1))
    with pytest.raises(RuleViolation) as caught:
        check_dates(date(2026, 1, 1), date(2026, 1, 1))
    assert caught.value.rule == "expires_before_refill"


def test_nobody_is_born_sixty_years_before_year_one() -> None:
    assert born_by(date(30, 1, 1), 60) == date.min
    assert age_on(date(2000, 1, 1), date(2000, 1, 1)) == 0
