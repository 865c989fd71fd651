"""Education's pure rules: ages, a NIK against the record, a status's kelas, unit and date, and
the SPM pendidikan tallies."""

from __future__ import annotations

from datetime import date

import pytest

from simpul_education.domain.children import Identity, age_months, age_years, check_identity
from simpul_education.domain.indicators import DASAR_7_15, PAUD_5_6, definitions, tally
from simpul_education.domain.status import StatusEntry, check_entry, check_status_date
from simpul_platform.domain import RuleViolation

pytestmark = pytest.mark.unit
TODAY = date(2026, 3, 2)
GIRL = Identity("6402065207160001", "P", date(2016, 7, 12))


def _rule(call: object) -> tuple[str, str]:
    assert callable(call)
    with pytest.raises(RuleViolation) as raised:
        call()
    return raised.value.field, raised.value.rule


def test_ages_count_completed_years_and_months() -> None:
    born = date(2016, 7, 12)
    assert age_years(born, date(2026, 7, 11)) == 9 and age_years(born, date(2026, 7, 12)) == 10
    assert age_months(born, date(2016, 8, 11)) == 0 and age_months(born, date(2016, 8, 12)) == 1
    assert age_months(born, date(2026, 3, 2)) == 115


def test_a_nik_that_agrees_with_the_record_passes() -> None:
    check_identity(GIRL, TODAY)


@pytest.mark.parametrize(
    ("person", "where", "rule"),
    [
        (
            Identity(GIRL.nik, "P", date(2016, 7, 13)),
            "body.birth_date",
            "nik_birth_date_mismatch",
        ),
        (Identity(GIRL.nik, "L", GIRL.birth_date), "body.sex", "nik_sex_mismatch"),
        (Identity("6402061001050001", "L", date(2005, 1, 10)), "body.birth_date", "over_age"),
        (Identity("6402065207260001", "P", date(2026, 7, 12)), "body.birth_date", "not_in_future"),
    ],
)
def test_a_record_the_nik_contradicts_or_out_of_age_is_refused(
    person: Identity, where: str, rule: str
) -> None:
    assert _rule(lambda: check_identity(person, TODAY)) == (where, rule)


def test_an_eighteen_year_old_is_still_known_to_the_field() -> None:
    check_identity(Identity("6402060203080001", "L", date(2008, 3, 2)), date(2027, 3, 1))


@pytest.mark.parametrize(
    ("entry", "jenjang"),
    [
        (StatusEntry("sd", kelas=1), "sd"),
        (StatusEntry("smp", kelas=9, unit_name="SMPN 1", npsn="30401234"), "smp"),
        (StatusEntry("smk", kelas=13), "smk"),
        (StatusEntry("paud", unit_name="KB Mawar"), "paud"),
        (StatusEntry("paket_b", unit_name="PKBM Harapan"), "paket_b"),
        (StatusEntry("out_of_school"), None),
        (StatusEntry("not_school_age"), None),
    ],
)
def test_a_status_that_fits_its_jenjang_names_it(entry: StatusEntry, jenjang: str | None) -> None:
    assert check_entry(entry) == jenjang


@pytest.mark.parametrize(
    ("entry", "where", "rule"),
    [
        (StatusEntry("sd"), "body.kelas", "kelas_required"),
        (StatusEntry("sd", kelas=7), "body.kelas", "kelas_out_of_range"),
        (StatusEntry("sma", kelas=9), "body.kelas", "kelas_out_of_range"),
        (StatusEntry("paud", kelas=1, unit_name="KB"), "body.kelas", "kelas_not_applicable"),
        (StatusEntry("paud"), "body.unit_name", "unit_required"),
        (StatusEntry("out_of_school", npsn="30401234"), "body.npsn", "unit_not_applicable"),
    ],
)
def test_a_status_that_does_not_fit_names_field_and_rule(
    entry: StatusEntry, where: str, rule: str
) -> None:
    assert _rule(lambda: check_entry(entry)) == (where, rule)


def test_a_status_date_has_come_and_follows_birth_and_the_last_status() -> None:
    born, last = date(2016, 7, 12), date(2025, 7, 14)
    check_status_date(last, TODAY, born, last)  # the same day as the last: a correction
    assert _rule(lambda: check_status_date(date(2026, 3, 3), TODAY, born, None)) == (
        "body.on",
        "not_in_future",
    )
    assert _rule(lambda: check_status_date(date(2016, 7, 11), TODAY, born, None)) == (
        "body.on",
        "before_birth",
    )
    assert _rule(lambda: check_status_date(date(2025, 7, 13), TODAY, born, last)) == (
        "body.on",
        "before_last_status",
    )


def test_indicator_tallies_count_the_age_group_at_the_periods_end() -> None:
    december = date(2026, 12, 1)  # counted at 2026-12-31
    children: list[tuple[date, str | None, int | None]] = [
        (date(2021, 6, 1), "paud", None),  # 5: served
        (date(2020, 1, 1), "sd", None),  # 6 in SD: not PAUD
        (date(2020, 12, 31), None, None),  # 6, nothing recorded
        (date(2022, 1, 1), "paud", None),  # 4: outside 5–6
        (date(2019, 1, 1), "sd", None),  # 7: dasar
        (date(2011, 1, 1), "sma", None),  # 15 in SMA: finished SMP
        (date(2012, 6, 1), "out_of_school", None),  # 14
        (date(2010, 12, 31), "paket_b", None),  # 16: outside 7–15
    ]
    counted = tally(definitions(), children, december)
    assert counted[PAUD_5_6] == (1, 3)
    assert counted[DASAR_7_15] == (2, 3)
