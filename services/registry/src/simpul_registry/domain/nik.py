"""NIK rules: 6 digits of region, DDMMYY birth date (day + 40 for women), 4-digit sequence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lokal import PROVINCES, parse_nik

from simpul_platform.domain import RuleViolation, not_in_future

# lokal-id's issue codes, as the rule names a client sees.
_RULES = {
    "format": "nik_format",
    "province": "nik_unknown_province",
    "wilayah": "nik_wilayah",
    "birth_date": "nik_birth_date",
    "serial": "nik_serial",
}

# The structure check_nik enforces, as a pattern for the OpenAPI document: a province of the
# table parse_nik reads, kabupaten and kecamatan not 00, a day (plus 40 for women) and month that
# can exist, a sequence not 0000. What a pattern cannot say (30 February, a date after today)
# stays a named rule.
_NOT_00 = "(?:0[1-9]|[1-9][0-9])"
_MAN_DAY = "(?:0[1-9]|[12][0-9]|3[01])"
_WOMAN_DAY = "(?:4[1-9]|[56][0-9]|7[01])"  # the day plus 40
_DAY = f"(?:{_MAN_DAY}|{_WOMAN_DAY})"
_MONTH = "(?:0[1-9]|1[0-2])"
_SEQUENCE = "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
NIK_PATTERN = (
    f"^(?:{'|'.join(sorted(PROVINCES))}){_NOT_00}{_NOT_00}{_DAY}{_MONTH}[0-9]{{2}}{_SEQUENCE}$"
)

# The gender a NIK encodes, by the pattern of its birth day (what check_gender compares).
GENDER_DAY_PATTERN = {"L": f"^[0-9]{{6}}{_MAN_DAY}", "P": f"^[0-9]{{6}}{_WOMAN_DAY}"}


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
