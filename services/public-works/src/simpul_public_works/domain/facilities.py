"""A public water or sanitation facility at a desa and its status: functioning (berfungsi) or
damaged (rusak). The status is changed by the issues about it: a report of damage at least as
severe as the deployment's setting (by default sedang or berat: a light defect leaves the
facility working) makes it rusak; the issue's repair (done) makes it berfungsi again once no
other open damaging issue names it. A declined issue changes nothing (the report found no
damage to repair, or the facility was not the OPD's to repair).

Pure: no FastAPI, SQL or Kafka.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from simpul_platform.domain import RuleViolation, Step, Workflow

FacilityKind = Literal["spam", "kran_umum", "mck_komunal", "ipal_komunal", "sumur", "embung"]
FacilityStatus = Literal["berfungsi", "rusak"]
FacilityAction = Literal["damage", "repair"]

FACILITIES: Workflow[FacilityStatus, FacilityAction] = Workflow(
    "public facility",
    [Step("damage", "berfungsi", "rusak"), Step("repair", "rusak", "berfungsi")],
)

OLDEST_BUILT_YEAR = 1900


def check_built_year(year: int | None, today: date, field: str = "body.built_year") -> None:
    if year is not None and not OLDEST_BUILT_YEAR <= year <= today.year:
        raise RuleViolation(
            field, "built_year_out_of_range", f"Built in {OLDEST_BUILT_YEAR}–{today.year}."
        )


def damages(severity: str, damaging: list[str]) -> bool:
    """An issue of this severity puts the facility it names out of order."""
    return severity in damaging
