"""Permenkes 2/2020 (Standar Antropometri Anak) categories of WHO z-scores.

Each code is the contract value on ``simpul.health.v1``; the Indonesian label is the one
Permenkes 2/2020 uses. Boundaries: a z-score exactly at −3 is "−3 to < −2", exactly at −2 is
normal, exactly at +1/+2/+3 is still the lower class ("> +1" means strictly above).
"""

from __future__ import annotations

from typing import Literal

HeightForAge = Literal["severely_stunted", "stunted", "normal", "tall"]
WeightForAge = Literal["severely_underweight", "underweight", "normal", "risk_of_overweight"]
WeightForHeight = Literal[
    "severely_wasted", "wasted", "normal", "risk_of_overweight", "overweight", "obese"
]

LABELS: dict[str, dict[str, str]] = {
    "height_for_age": {  # TB/U, PB/U
        "severely_stunted": "sangat pendek",  # < −3 SD
        "stunted": "pendek",  # −3 SD to < −2 SD
        "normal": "normal",  # −2 SD to +3 SD
        "tall": "tinggi",  # > +3 SD
    },
    "weight_for_age": {  # BB/U
        "severely_underweight": "berat badan sangat kurang",  # < −3 SD
        "underweight": "berat badan kurang",  # −3 SD to < −2 SD
        "normal": "berat badan normal",  # −2 SD to +1 SD
        "risk_of_overweight": "risiko berat badan lebih",  # > +1 SD
    },
    "weight_for_height": {  # BB/PB, BB/TB
        "severely_wasted": "gizi buruk",  # < −3 SD
        "wasted": "gizi kurang",  # −3 SD to < −2 SD
        "normal": "gizi baik",  # −2 SD to +1 SD
        "risk_of_overweight": "berisiko gizi lebih",  # > +1 SD to +2 SD
        "overweight": "gizi lebih",  # > +2 SD to +3 SD
        "obese": "obesitas",  # > +3 SD
    },
}


def height_for_age(haz: float | None) -> HeightForAge | None:
    if haz is None:
        return None
    if haz < -3:
        return "severely_stunted"  # sangat pendek
    if haz < -2:
        return "stunted"  # pendek
    if haz <= 3:
        return "normal"  # normal
    return "tall"  # tinggi


def weight_for_age(waz: float | None) -> WeightForAge | None:
    if waz is None:
        return None
    if waz < -3:
        return "severely_underweight"  # berat badan sangat kurang
    if waz < -2:
        return "underweight"  # berat badan kurang
    if waz <= 1:
        return "normal"  # berat badan normal
    return "risk_of_overweight"  # risiko berat badan lebih


def weight_for_height(whz: float | None) -> WeightForHeight | None:
    if whz is None:
        return None
    if whz < -3:
        return "severely_wasted"  # gizi buruk
    if whz < -2:
        return "wasted"  # gizi kurang
    if whz <= 1:
        return "normal"  # gizi baik
    if whz <= 2:
        return "risk_of_overweight"  # berisiko gizi lebih
    if whz <= 3:
        return "overweight"  # gizi lebih
    return "obese"  # obesitas
