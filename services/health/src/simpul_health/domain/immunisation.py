"""Immunisation schedule as data and completeness per child by age.

The default is the national routine schedule for infants and under-twos (Kemenkes, Permenkes
12/2017 on immunisation with the later additions of PCV, rotavirus and IPV2, as in Buku KIA
2023) *(the due ages are the recommended ones; a deployment can load its own schedule)*.
A dose counts as due once the child has reached its age; "imunisasi dasar lengkap" (IDL) is
every dose due by 9 months.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class ScheduledDose:
    antigen: str
    dose: int
    due_age_days: int


_M = 30  # days per month for due ages (the schedule is given in whole months)

NATIONAL_SCHEDULE: tuple[ScheduledDose, ...] = (
    ScheduledDose("HB0", 1, 0),
    ScheduledDose("BCG", 1, 1 * _M),
    ScheduledDose("OPV", 1, 1 * _M),
    ScheduledDose("DPT-HB-Hib", 1, 2 * _M),
    ScheduledDose("OPV", 2, 2 * _M),
    ScheduledDose("PCV", 1, 2 * _M),
    ScheduledDose("RV", 1, 2 * _M),
    ScheduledDose("DPT-HB-Hib", 2, 3 * _M),
    ScheduledDose("OPV", 3, 3 * _M),
    ScheduledDose("PCV", 2, 3 * _M),
    ScheduledDose("RV", 2, 3 * _M),
    ScheduledDose("DPT-HB-Hib", 3, 4 * _M),
    ScheduledDose("OPV", 4, 4 * _M),
    ScheduledDose("IPV", 1, 4 * _M),
    ScheduledDose("RV", 3, 4 * _M),
    ScheduledDose("MR", 1, 9 * _M),
    ScheduledDose("IPV", 2, 9 * _M),
    ScheduledDose("PCV", 3, 12 * _M),
    ScheduledDose("DPT-HB-Hib", 4, 18 * _M),
    ScheduledDose("MR", 2, 18 * _M),
)
IDL_BY_DAYS = 9 * _M


def load_schedule(path: str | None) -> tuple[ScheduledDose, ...]:
    """The schedule from a JSON list of {antigen, dose, due_age_days}, or the national one."""
    if not path:
        return NATIONAL_SCHEDULE
    raw = json.loads(Path(path).read_text())
    return tuple(
        ScheduledDose(str(d["antigen"]), int(d["dose"]), int(d["due_age_days"])) for d in raw
    )


def antigens(schedule: tuple[ScheduledDose, ...]) -> dict[str, int]:
    """Antigen → the highest dose number the schedule knows."""
    result: dict[str, int] = {}
    for item in schedule:
        result[item.antigen] = max(result.get(item.antigen, 0), item.dose)
    return result


@dataclass(frozen=True)
class Completeness:
    age_days: int
    due: list[ScheduledDose]
    given: list[ScheduledDose]
    missing: list[ScheduledDose]
    complete_for_age: bool
    idl: bool  # imunisasi dasar lengkap: every dose due by 9 months given


def completeness(
    schedule: tuple[ScheduledDose, ...], birth: date, on: date, given: set[tuple[str, int]]
) -> Completeness:
    age = (on - birth).days
    due = [d for d in schedule if d.due_age_days <= age]
    done = [d for d in due if (d.antigen, d.dose) in given]
    missing = [d for d in due if (d.antigen, d.dose) not in given]
    basic = [d for d in schedule if d.due_age_days <= IDL_BY_DAYS]
    idl = all((d.antigen, d.dose) in given for d in basic)
    return Completeness(age, due, done, missing, not missing, idl)
