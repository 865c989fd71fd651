"""Education status: what a child is doing about school on a day, and the rules a recorded
status keeps (its kelas fits its jenjang; its date has come, is not before the child's birth
and not before the status it follows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

from simpul_platform.domain import RuleViolation, not_in_future

Status = Literal[
    "not_school_age",
    "paud",
    "sd",
    "smp",
    "sma",
    "smk",
    "paket_a",
    "paket_b",
    "paket_c",
    "out_of_school",
]
Source = Literal["kader_census", "school", "dapodik_match"]
STATUSES: tuple[str, ...] = get_args(Status)
SOURCES: tuple[str, ...] = get_args(Source)

# Kelas numbered nationally (SD 1–6, SMP 7–9, SMA 10–12; SMK up to 13 for four-year programmes).
KELAS: dict[str, tuple[int, int]] = {"sd": (1, 6), "smp": (7, 9), "sma": (10, 12), "smk": (10, 13)}
# The statuses that are a jenjang of schooling (formal or kesetaraan): the event's ``jenjang``.
JENJANG = ("paud", "sd", "smp", "sma", "smk", "paket_a", "paket_b", "paket_c")
# A unit (school, PAUD, PKBM) can be named for these.
IN_A_UNIT = JENJANG


@dataclass(frozen=True)
class StatusEntry:
    status: str
    kelas: int | None = None
    unit_name: str | None = None
    npsn: str | None = None


def check_entry(entry: StatusEntry, field: str = "body") -> str | None:
    """The entry's kelas and unit fit its status; returns its jenjang (None when the child is
    not in schooling)."""
    span = KELAS.get(entry.status)
    if span is not None:
        low, high = span
        if entry.kelas is None:
            raise RuleViolation(
                f"{field}.kelas", "kelas_required", f"{entry.status} needs a kelas ({low}–{high})."
            )
        if not low <= entry.kelas <= high:
            raise RuleViolation(
                f"{field}.kelas",
                "kelas_out_of_range",
                f"{entry.status} is kelas {low}–{high}, not {entry.kelas}.",
            )
    elif entry.kelas is not None:
        raise RuleViolation(
            f"{field}.kelas", "kelas_not_applicable", f"{entry.status} takes no kelas."
        )
    if entry.status == "paud" and not entry.unit_name:
        raise RuleViolation(
            f"{field}.unit_name", "unit_required", "paud needs the PAUD unit's name."
        )
    if entry.status not in IN_A_UNIT and (entry.unit_name or entry.npsn):
        which = "unit_name" if entry.unit_name else "npsn"
        raise RuleViolation(
            f"{field}.{which}", "unit_not_applicable", f"{entry.status} is not in a unit."
        )
    return entry.status if entry.status in JENJANG else None


def check_status_date(
    on: date, today: date, birth_date: date, last_on: date | None, field: str = "body.on"
) -> None:
    """A status's date has come, is on or after the birth date and the last status's date."""
    not_in_future(on, today, field, "The status date")
    if on < birth_date:
        raise RuleViolation(
            field, "before_birth", f"The status date ({on}) is before the birth ({birth_date})."
        )
    if last_on is not None and on < last_on:
        raise RuleViolation(
            field,
            "before_last_status",
            f"The status date ({on}) is before the last status's ({last_on}).",
        )
