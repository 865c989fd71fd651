"""Weight gain month to month: N (naik) / T (tidak naik); two T in a row is growth faltering.

N/T follows the KMS rule (Permenkes 155/2010 on KMS, repeated in Buku KIA): a child "naik"
when the weight gained since last month's weighing reaches the minimum gain (kenaikan berat
badan minimal, KBM) for the age month. The KBM values below are the KMS ones *(unverified
against the current Buku KIA edition; kept as data so a deployment can change them)*.
Without a weighing in the previous month (gap outside 20–45 days) there is no N/T (``None``;
KMS calls it "O"/"B").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Growth = Literal["N", "T"]

# Minimum gain (grams) in the age month ending at the current weighing: month → grams.
KBM_GRAMS: dict[int, int] = {
    1: 800,
    2: 900,
    3: 800,
    4: 600,
    5: 500,
    6: 400,
    7: 400,
    8: 300,
    9: 300,
    10: 300,
    11: 200,
}
KBM_GRAMS_FROM_12_MONTHS = 200
PREVIOUS_MONTH_DAYS = (20, 45)
DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class PreviousWeighing:
    measured_on: date
    weight_kg: float
    growth: Growth | None


@dataclass(frozen=True)
class GrowthResult:
    growth: Growth | None
    faltering: bool


def minimum_gain_grams(age_days: int) -> int:
    month = max(1, int(age_days // DAYS_PER_MONTH))
    return KBM_GRAMS.get(month, KBM_GRAMS_FROM_12_MONTHS)


def assess_growth(
    measured_on: date, age_days: int, weight_kg: float, previous: PreviousWeighing | None
) -> GrowthResult:
    """N/T against the previous month's weighing; faltering when this and that one are T."""
    if previous is None:
        return GrowthResult(None, False)
    gap = (measured_on - previous.measured_on).days
    if not PREVIOUS_MONTH_DAYS[0] <= gap <= PREVIOUS_MONTH_DAYS[1]:
        return GrowthResult(None, False)
    gained_grams = round((weight_kg - previous.weight_kg) * 1000)
    growth: Growth = "N" if gained_grams >= minimum_gain_grams(age_days) else "T"
    return GrowthResult(growth, growth == "T" and previous.growth == "T")
