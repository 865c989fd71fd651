"""Life-cycle groups of the merged posyandu (Permendagri 13/2024; Kemenkes ILP cluster
groups): from age, with ibu hamil/nifas taking precedence for a woman with an open pregnancy
or within 42 days after delivery."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

LifeCycleGroup = Literal[
    "bayi_balita",  # 0–59 months
    "anak_prasekolah",  # 60–71 months (5–6 years)
    "usia_sekolah",  # 6–9 years
    "remaja",  # 10–14 years (15–18 counted as usia produktif by SPM)
    "usia_produktif",  # 15–59 years (SPM kesehatan)
    "lansia",  # 60 years and over
    "ibu_hamil_nifas",
]
LIFE_CYCLE_GROUPS: tuple[str, ...] = LifeCycleGroup.__args__  # type: ignore[attr-defined]
NIFAS_DAYS = 42


def age_in_months(birth: date, on: date) -> int:
    months = (on.year - birth.year) * 12 + on.month - birth.month
    return months - 1 if on.day < birth.day else months


def age_in_years(birth: date, on: date) -> int:
    return age_in_months(birth, on) // 12


def life_cycle_group(
    birth: date,
    on: date,
    *,
    pregnant: bool = False,
    delivered_on: date | None = None,
) -> LifeCycleGroup:
    if pregnant or (delivered_on is not None and on - delivered_on <= timedelta(NIFAS_DAYS)):
        return "ibu_hamil_nifas"
    months = age_in_months(birth, on)
    if months < 60:
        return "bayi_balita"
    if months < 72:
        return "anak_prasekolah"
    years = months // 12
    if years < 10:
        return "usia_sekolah"
    if years < 15:
        return "remaja"
    if years < 60:
        return "usia_produktif"
    return "lansia"


def birth_date_bounds(on: date, min_years: int, max_years: int | None) -> tuple[date | None, date]:
    """Birth dates of people aged ``min_years`` ≤ age < ``max_years`` on ``on``:
    ``(born_after, born_on_or_before)``; ``born_after`` is None when there is no upper age."""
    latest = _years_before(on, min_years)
    earliest = _years_before(on, max_years) if max_years is not None else None
    return earliest, latest


def _years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)
