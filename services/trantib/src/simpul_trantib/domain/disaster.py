"""Disasters as BPBD works them (Permendagri 101/2018; BNPB's reporting vocabulary, FIELDS.md §4):
declared (kind, date, affected desa, status SK) → rapid assessment (people, houses RR/RS/RB,
facilities; repeated while the emergency lasts) → evacuation (victims rescued and evacuated)
→ emergency response → recovery → closed. Every step is dated, not in the future and not
before the step it follows. Pure: no FastAPI, SQL or Kafka.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from simpul_platform.domain import RuleViolation, Step, Workflow, not_in_future

# BNPB's hazard vocabulary (FIELDS.md §4(a)/(b)): the kinds a disaster and a hazard zone take.
DisasterKind = Literal[
    "banjir",
    "banjir_bandang",
    "tanah_longsor",
    "angin_puting_beliung",
    "cuaca_ekstrem",
    "gelombang_pasang_abrasi",
    "kekeringan",
    "karhutla",
    "gempa_bumi",
    "tsunami",
    "erupsi",
    "epidemi",
]
# The status SK's level: siaga darurat (alert), tanggap darurat (response), transisi darurat
# ke pemulihan (transition to recovery).
EmergencyLevel = Literal["siaga", "tanggap_darurat", "transisi_darurat"]
DisasterStatus = Literal[
    "declared", "assessed", "evacuation", "emergency_response", "recovery", "closed"
]
DisasterAction = Literal["declare", "assess", "evacuate", "respond", "recover", "close"]
StepAction = Literal["evacuate", "respond", "recover", "close"]
# A household's house after the disaster: rusak ringan / sedang / berat, lost, or standing.
Damage = Literal["rr", "rs", "rb", "hilang", "none"]
FACILITIES = ("pendidikan", "peribadatan", "kesehatan", "kantor", "jembatan")

# The rapid assessment may be taken again while the emergency lasts (the counts grow as teams
# reach the desa); it leaves the status where it is once evacuation has begun.
DISASTER: Workflow[DisasterStatus, DisasterAction] = Workflow(
    "disaster",
    [
        Step("declare", None, "declared"),
        Step("assess", "declared", "assessed"),
        Step("assess", "assessed", "assessed"),
        Step("evacuate", "assessed", "evacuation"),
        Step("assess", "evacuation", "evacuation"),
        Step("respond", "evacuation", "emergency_response"),
        Step("assess", "emergency_response", "emergency_response"),
        Step("recover", "emergency_response", "recovery"),
        Step("close", "recovery", "closed"),
    ],
)
# Affected households are recorded until the disaster is closed (a household found during
# recovery still needs a house and protection).
HOUSEHOLDS_OPEN: tuple[DisasterStatus, ...] = (
    "declared",
    "assessed",
    "evacuation",
    "emergency_response",
    "recovery",
)
# School age for the displaced-children referral (education's catalogue: 5–18).
SCHOOL_AGE = (5, 18)


def check_declaration(
    occurred_on: date,
    sk_date: date | None,
    sk_number: str | None,
    level: EmergencyLevel | None,
    today: date,
) -> None:
    """The disaster's date and its status SK's: not in the future; the SK not before the
    disaster unless it declared the alert (siaga darurat) ahead of it; a number with a date."""
    not_in_future(occurred_on, today, "body.occurred_on", "The disaster date")
    if (sk_date is None) != (sk_number is None):
        raise RuleViolation(
            "body.status_sk_date" if sk_date is None else "body.status_sk_number",
            "sk_incomplete",
            "A status SK has both its number and its date.",
        )
    if sk_date is None:
        return
    not_in_future(sk_date, today, "body.status_sk_date", "The SK date")
    if sk_date < occurred_on and level != "siaga":
        raise RuleViolation(
            "body.status_sk_date",
            "before_disaster",
            f"Only a siaga SK may precede the disaster ({occurred_on.isoformat()}).",
        )


def check_affected_desa(desa: Sequence[str]) -> None:
    """Each affected desa named once."""
    seen: set[str] = set()
    for index, code in enumerate(desa):
        if code in seen:
            raise RuleViolation(
                f"body.affected_desa[{index}]", "duplicate_desa", f"Desa {code} is named twice."
            )
        seen.add(code)


def smallest_area(desa: Sequence[str]) -> str:
    """The smallest wilayah holding every desa: the desa itself, their kecamatan, kabupaten or
    provinsi (the longest code every one of them starts with, by level)."""
    parts = [code.split(".") for code in desa]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    if not common:
        raise RuleViolation(
            "body.affected_desa", "several_provinsi", "A disaster's desa lie in one provinsi."
        )
    return ".".join(common)


def check_step_date(on: date, today: date, previous: date, field: str) -> None:
    """A step's date: not in the future, not before the step it follows."""
    not_in_future(on, today, field)
    if on < previous:
        raise RuleViolation(
            field, "before_previous_step", f"Not before the previous step ({previous.isoformat()})."
        )


def check_evacuated(evacuated: int, needing: int) -> None:
    """Victims rescued and evacuated are among those who needed it."""
    if evacuated > needing:
        raise RuleViolation(
            "body.evacuated",
            "exceeds_needing_evacuation",
            f"{evacuated} evacuated exceeds the {needing} the assessment found needing it.",
        )


def check_needing(needing: int, evacuated: int) -> None:
    """A new assessment does not find fewer needing evacuation than were evacuated already."""
    if needing < evacuated:
        raise RuleViolation(
            "body.needing_evacuation",
            "below_evacuated",
            f"{evacuated} victims were evacuated already; needing evacuation is at least that.",
        )


def age_on(birth_date: date, day: date) -> int:
    """Completed years on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def school_age(birth_date: date, occurred_on: date) -> int | None:
    """The child's age on the disaster's date when it is school age (5–18), else None."""
    age = age_on(birth_date, occurred_on)
    low, high = SCHOOL_AGE
    return age if low <= age <= high else None


def reach(reached: int, population: int) -> float:
    """Risk information's reach in a zone: people reached (at most all of them) ÷ people."""
    if population <= 0:
        return 0.0
    return min(reached, population) / population
