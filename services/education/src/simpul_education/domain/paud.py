"""PAUD Holistik Integratif at the posyandu: a child's PAUD enrolment for a year with its
monthly attendance, and the families of young children in BKB (Bina Keluarga Balita) classes.

The enrolment has the shape of OpenSID's ``sasaran_paud`` (FIELDS.md §1(b)): one record per
child per year, an age group (OpenSID's ``kategori_usia``: 1 = 2 to under 3 years, 2 = 3–6
years) and twelve monthly attendance marks (OpenSID's 1 = "-" no mark yet, 2 = "v" attended,
3 = "x" did not attend). PAUD serves children 0–6; OpenSID's categories start at two, so the
under-twos have their own group here, with no OpenSID code. Pure: no FastAPI, SQL or Kafka.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from simpul_education.domain.children import age_years
from simpul_platform.domain import RuleViolation, not_in_future

AgeGroup = Literal["under_2", "2_to_3", "3_to_6"]
AttendanceMark = Literal["attended", "not_attended"]
AGE_GROUPS: tuple[str, ...] = get_args(AgeGroup)
MARKS: tuple[str, ...] = get_args(AttendanceMark)

PAUD_MAX_AGE = 6  # PAUD is for children from birth to six (UU 20/2003 Pasal 28; Perpres 60/2013)
# OpenSID's kategori_usia for each group; None where OpenSID has no category.
OPENSID_KATEGORI_USIA: dict[str, int | None] = {"under_2": None, "2_to_3": 1, "3_to_6": 2}
# OpenSID's code for a month's mark; a month without a mark is its 1 ("-").
OPENSID_MARK: dict[str | None, int] = {None: 1, "attended": 2, "not_attended": 3}
MONTHS = 12


def age_group(birth_date: date, on: date) -> AgeGroup:
    """The PAUD age group of a child 0–6 on ``on``, by completed years."""
    years = age_years(birth_date, on)
    if years < 2:
        return "under_2"
    return "2_to_3" if years < 3 else "3_to_6"


def check_enrolment(
    birth_date: date,
    enrolled_on: date,
    year: int,
    today: date,
    given: str | None = None,
    field: str = "body",
) -> AgeGroup:
    """An enrolment's date has come, falls in its year and after the birth, the child is 0–6
    then, and a given age group is the one the age gives; returns the age group."""
    not_in_future(enrolled_on, today, f"{field}.enrolled_on", "The enrolment date")
    if enrolled_on.year != year:
        raise RuleViolation(
            f"{field}.enrolled_on",
            "enrolled_on_outside_year",
            f"An enrolment for {year} starts in {year}, not on {enrolled_on}.",
        )
    if enrolled_on < birth_date:
        raise RuleViolation(
            f"{field}.enrolled_on",
            "before_birth",
            f"The enrolment date ({enrolled_on}) is before the birth ({birth_date}).",
        )
    years = age_years(birth_date, enrolled_on)
    if years > PAUD_MAX_AGE:
        raise RuleViolation(
            f"{field}.child_id",
            "paud_age",
            f"PAUD is for children aged 0–{PAUD_MAX_AGE}; this child was {years} on {enrolled_on}.",
        )
    group = age_group(birth_date, enrolled_on)
    if given is not None and given != group:
        raise RuleViolation(
            f"{field}.age_group",
            "age_group_mismatch",
            f"The child's age on {enrolled_on} puts it in {group}, not {given}.",
        )
    return group


def check_attendance_month(
    year: int, month: int, enrolled_on: date, today: date, field: str = "path.month"
) -> None:
    """A month's mark is for a month of the enrolment's year, from the enrolment's month on,
    that has begun."""
    if not 1 <= month <= MONTHS:
        raise RuleViolation(field, "month_out_of_range", f"A month is 1–12, not {month}.")
    if (year, month) < (enrolled_on.year, enrolled_on.month):
        raise RuleViolation(
            field,
            "before_enrolment",
            f"{year}-{month:02d} is before the enrolment ({enrolled_on}).",
        )
    if (year, month) > (today.year, today.month):
        raise RuleViolation(
            field, "month_in_future", f"{year}-{month:02d} has not begun (today is {today})."
        )


def attendance_sheet(marks: dict[int, str]) -> list[str | None]:
    """The twelve months January to December, each its mark or None (no mark yet)."""
    return [marks.get(month) for month in range(1, MONTHS + 1)]


def same_unit(
    name: str | None, npsn: str | None, other_name: str | None, other_npsn: str | None
) -> bool:
    """Two mentions of a PAUD unit are the same unit: by NPSN when both have one, else by name
    (case and surrounding spaces aside)."""
    if npsn and other_npsn:
        return npsn == other_npsn
    return (name or "").strip().casefold() == (other_name or "").strip().casefold()


def records_status(
    current: tuple[str | None, date | None],
    current_unit: tuple[str | None, str | None],
    unit: tuple[str, str | None],
    enrolled_on: date,
) -> bool:
    """Whether an enrolment also records the child's status paud. Not when the (status, date)
    ``current`` already says so (paud at the same unit, since a date no older than the
    enrolment's), nor when a later status was recorded since the enrolment date: the history
    keeps its order, and the later status stands."""
    status, status_on = current
    if status_on is None:
        return True
    if enrolled_on < status_on:
        return False
    return not (enrolled_on == status_on and status == "paud" and same_unit(*current_unit, *unit))


# --- BKB (Bina Keluarga Balita): families, not children (FIELDS.md §1(b)) -------------------


def has_young_child(birth_dates: list[date], on: date) -> bool:
    """At least one of the family's children is 0–6 on ``on``: what makes it a BKB family."""
    return any(b <= on and age_years(b, on) <= PAUD_MAX_AGE for b in birth_dates)


def check_joining(joined_on: date, today: date, field: str = "body.joined_on") -> None:
    not_in_future(joined_on, today, field, "The joining date")


def check_leaving(joined_on: date, left_on: date, today: date, field: str = "body.left_on") -> None:
    """A family leaves on a day that has come, not before it joined."""
    not_in_future(left_on, today, field, "The leaving date")
    if left_on < joined_on:
        raise RuleViolation(
            field,
            "before_joining",
            f"The leaving date ({left_on}) is before the joining date ({joined_on}).",
        )


def bkb_active(joined_on: date, left_on: date | None, on: date) -> bool:
    """A member on ``on``: joined by then and not yet left (the leaving day is not a member's)."""
    return joined_on <= on and (left_on is None or on < left_on)
