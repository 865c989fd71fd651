"""Usia pendidikan dasar (SPM kesehatan no. 5): who is in the target group at a period's end,
the school year a screening belongs to, and when a penjaringan kesehatan is "to standard".

The target group is education's children aged 7–15 at the period's end (the definition's
``min_age`` / ``max_age``). Education's events carry a birth year and, with a status, an age in
months on a date: a child's birth date is taken as the first day of the month the age in months
points to, and, with only a birth year, as 1 July of that year (the year's middle, so a child
known by year alone is wrong by at most half a year either way).

Penjaringan kesehatan anak sekolah (Permenkes 6/2024, SPM no. 5; the school-health screening
of kelas 1–9 at least once a school year) checks nutrition status, vision, hearing and teeth
among others; a screening counts as to standard when those four components were all examined
(``STANDARD_COMPONENTS``). Blood pressure, Hb and the SDQ are recorded when done but are not
required: the regulation's minimum is the four components.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from simpul_health.domain.indicators import SPM, months_before

MIN_AGE = int(SPM["usia_pendidikan_dasar"].parameters["min_age"])
MAX_AGE = int(SPM["usia_pendidikan_dasar"].parameters["max_age"])
# Who may be screened at school at all: kelas 1 starts at 5–6, an SMP pupil repeating can be 18.
SCREENING_MIN_AGE, SCREENING_MAX_AGE = 5, 18
SCHOOL_YEAR_START_MONTH = 7  # tahun ajaran: July to June
KELAS = {"sd": range(1, 7), "smp": range(7, 10)}

# A component is examined when all of its fields are present.
STANDARD_COMPONENTS: Mapping[str, tuple[str, ...]] = {
    "nutrition": ("weight_kg", "height_cm"),
    "vision": ("vision",),
    "hearing": ("hearing",),
    "dental": ("dental",),
}


@dataclass(frozen=True)
class AgeWindow:
    """Birth dates of the target group at ``end``: after ``born_after``, on or before
    ``born_by``; with a birth year only (1 July assumed), years ``first_year``..``last_year``."""

    born_after: date
    born_by: date
    first_year: int
    last_year: int


def age_window(end: date) -> AgeWindow:
    """Aged MIN_AGE..MAX_AGE completed years at ``end``: a child turning 7 on ``end`` is in,
    one turning 16 on or before it is out."""
    born_by = months_before(end, 12 * MIN_AGE)
    born_after = months_before(end, 12 * (MAX_AGE + 1))
    last_year = born_by.year if born_by >= _mid_year(born_by.year) else born_by.year - 1
    first_year = born_after.year if _mid_year(born_after.year) > born_after else born_after.year + 1
    return AgeWindow(born_after, born_by, first_year, last_year)


def _mid_year(year: int) -> date:
    return date(year, 7, 1)


def assumed_birth(birth_year: int, birth_month: date | None) -> date:
    """The birth date a child is counted by."""
    return birth_month or _mid_year(birth_year)


def in_target_group(birth_year: int, birth_month: date | None, end: date) -> bool:
    """Whether the child is in the usia pendidikan dasar group at ``end`` (the SQL's rule)."""
    window = age_window(end)
    return window.born_after < assumed_birth(birth_year, birth_month) <= window.born_by


def birth_month_of(age_months: int, on: date) -> date:
    """The first day of the month ``age_months`` before ``on``."""
    return months_before(on, age_months).replace(day=1)


def school_year_start(day: date) -> date:
    """The first day (1 July) of the school year ``day`` falls in."""
    year = day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1
    return date(year, SCHOOL_YEAR_START_MONTH, 1)


def school_year_label(day: date) -> str:
    start = school_year_start(day)
    return f"{start.year}/{start.year + 1}"


def kelas_fits(jenjang: str, kelas: int) -> bool:
    """SD is kelas 1–6, SMP kelas 7–9."""
    return kelas in KELAS[jenjang]


def missing_components(values: Mapping[str, Any]) -> list[str]:
    """The standard's components not examined (a field of theirs absent)."""
    return [
        component
        for component, fields in STANDARD_COMPONENTS.items()
        if any(values.get(f) is None for f in fields)
    ]


def to_standard(values: Mapping[str, Any]) -> bool:
    """Nutrition (weight and height), vision, hearing and teeth all examined."""
    return not missing_components(values)
