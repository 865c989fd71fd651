"""Where an ATS child goes back to, and what a verification takes, pure."""

from __future__ import annotations

import re

import pytest

from simpul_education.domain.ats_reentry import (
    DEFAULT_PAKET_MIN_AGE,
    DEFAULT_VERIFY_REASONS,
    LastLevel,
    check_enrolment,
    check_paket,
    check_reason,
    fitting_paket,
)
from simpul_education.ops.ats_import import BODY_PATTERN, TEMPLATE, parse
from simpul_platform.domain import RuleViolation
from simpul_platform.errors import InvalidInput

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("category", "jenjang", "paket"),
    [
        ("bpb", None, "paket_a"),
        ("do", "sd", "paket_a"),
        ("ltm", "sd", "paket_b"),
        ("do", "smp", "paket_b"),
        ("ltm", "paket_b", "paket_c"),
        ("do", "sma", "paket_c"),
        ("do", "smk", "paket_c"),
        ("do", None, "paket_a"),
    ],
)
def test_the_paket_continues_from_the_last_level(
    category: str, jenjang: str | None, paket: str
) -> None:
    assert fitting_paket(LastLevel(category, jenjang)) == paket


def test_a_child_who_finished_upper_secondary_has_no_paket() -> None:
    with pytest.raises(RuleViolation) as broken:
        fitting_paket(LastLevel("ltm", "sma"))
    assert broken.value.rule == "no_paket_fits"


def test_a_paket_asked_must_fit_and_the_child_be_old_enough() -> None:
    level = LastLevel("ltm", "sd")
    assert check_paket(level, 13, None, DEFAULT_PAKET_MIN_AGE) == "paket_b"
    with pytest.raises(RuleViolation) as mismatch:
        check_paket(level, 13, "paket_a", DEFAULT_PAKET_MIN_AGE)
    assert mismatch.value.rule == "paket_mismatch"
    with pytest.raises(RuleViolation) as young:
        check_paket(level, 11, None, DEFAULT_PAKET_MIN_AGE)
    assert young.value.rule == "paket_age" and "ppdb" in young.value.message


def test_the_enrolment_fits_the_path() -> None:
    check_enrolment("ppdb", None, "smp")
    check_enrolment("spnf_pkbm", "paket_b", "paket_b")
    for path, paket, status in (("ppdb", None, "paket_a"), ("spnf_pkbm", "paket_b", "smp")):
        with pytest.raises(RuleViolation) as broken:
            check_enrolment(path, paket, status)
        assert broken.value.rule == "enrolment_path_mismatch"


def test_a_verification_reason_comes_from_the_catalogue() -> None:
    assert check_reason("biaya", DEFAULT_VERIFY_REASONS) == "biaya"
    with pytest.raises(RuleViolation) as broken:
        check_reason("biaya", {"lainnya": "Lainnya"})  # a deployment's own catalogue
    assert broken.value.rule == "unknown_ats_reason"


def test_the_csv_template_matches_its_documented_pattern_and_parses() -> None:

    assert re.match(BODY_PATTERN, TEMPLATE)
    [(line, row)] = parse(TEMPLATE.encode())
    assert line == 2 and row["kategori"] == "DO" and row["kelas_terakhir"] == "4"
    with pytest.raises(InvalidInput) as missing:
        parse(b"nik,no_kk,nama\n")
    assert missing.value.extra["column"] == "tanggal_lahir"
    with pytest.raises(InvalidInput) as order:
        parse(TEMPLATE.replace("nama,tanggal_lahir", "tanggal_lahir,nama").encode())
    assert order.value.errors[0].rule == "csv_column_order"
