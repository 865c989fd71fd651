"""Screening thresholds for remaja, usia produktif and lansia.

* Hypertension: systolic ≥ 140 or diastolic ≥ 90 mmHg (Permenkes 4/2019, SPM hipertensi;
  PERHI/JNC7).
* Diabetes: fasting plasma glucose ≥ 126 mg/dL, random (sewaktu) ≥ 200 mg/dL (WHO 2006;
  PERKENI 2021; Permenkes 4/2019 SPM DM).
* Anaemia (WHO 2011): Hb < 11.5 g/dL aged 5–11; < 12 aged 12–14 and women ≥ 15;
  < 13 men ≥ 15.
* Obesity for adults (≥ 18): BMI > 27 kg/m² (Kemenkes P2PTM Indonesian cut-off; 25.1–27 is
  overweight). Younger people are not flagged on BMI here (they need BMI-for-age).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from simpul_platform.domain import RuleViolation

GlucoseKind = Literal["fasting", "random"]
FollowUp = Literal["none", "referred", "visited", "treated", "declined"]
SCREENING_FLAGS = ("hypertension", "diabetes", "anaemia", "obesity")
OBESITY_BMI = 27.0


@dataclass(frozen=True)
class ScreeningInput:
    age_years: int
    sex: Literal["M", "F"]
    systolic: int | None = None
    diastolic: int | None = None
    glucose_mg_dl: float | None = None
    glucose_kind: GlucoseKind | None = None
    hb_g_dl: float | None = None
    weight_kg: float | None = None
    height_cm: float | None = None


def check_blood_pressure(systolic: int | None, diastolic: int | None) -> None:
    """Both pressures or neither, the diastolic below the systolic."""
    if (systolic is None) != (diastolic is None):
        raise RuleViolation("diastolic", "blood_pressure_pair", "Send both pressures.")
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        raise RuleViolation(
            "diastolic", "diastolic_not_below_systolic", "Diastolic must be below systolic."
        )


def bmi(weight_kg: float | None, height_cm: float | None) -> float | None:
    if not weight_kg or not height_cm:
        return None
    return round(weight_kg / (height_cm / 100) ** 2, 1)


def anaemia_threshold(age_years: int, sex: str) -> float:
    if age_years < 12:
        return 11.5
    if age_years < 15 or sex == "F":
        return 12.0
    return 13.0


def screening_flags(s: ScreeningInput) -> list[str]:
    flags: list[str] = []
    if (s.systolic is not None and s.systolic >= 140) or (
        s.diastolic is not None and s.diastolic >= 90
    ):
        flags.append("hypertension")
    if s.glucose_mg_dl is not None and s.glucose_kind is not None:
        limit = 126 if s.glucose_kind == "fasting" else 200
        if s.glucose_mg_dl >= limit:
            flags.append("diabetes")
    if s.hb_g_dl is not None and s.hb_g_dl < anaemia_threshold(s.age_years, s.sex):
        flags.append("anaemia")
    value = bmi(s.weight_kg, s.height_cm)
    if s.age_years >= 18 and value is not None and value > OBESITY_BMI:
        flags.append("obesity")
    return flags


def initial_follow_up(flags: list[str]) -> FollowUp:
    """A flagged person is referred to the puskesmas; the others need no follow-up."""
    return "referred" if flags else "none"
