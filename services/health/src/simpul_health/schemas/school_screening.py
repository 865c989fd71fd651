"""Penjaringan kesehatan of school-age children (kelas 1–9)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# What a screening found, as codes (the details stay in health; none travels on Kafka).
Finding = Literal[
    "underweight",
    "overweight",
    "anaemia",
    "hypertension",
    "vision_impaired",
    "hearing_impaired",
    "caries",
    "skin_disease",
    "worm_infection",
    "mental_emotional_problem",
    "incomplete_immunisation",
    "other",
]


class SchoolScreeningIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "target_id": "9b7e0c1e-2222-4d1e-8f00-000000000007",
                    "screened_on": "2026-08-12",
                    "jenjang": "sd",
                    "kelas": 1,
                    "school_npsn": "30400123",
                    "weight_kg": 21.5,
                    "height_cm": 119.0,
                    "vision": "normal",
                    "hearing": "normal",
                    "dental": "caries",
                    "findings": ["caries"],
                    "follow_up": "referred_to_puskesmas",
                }
            ]
        },
    )
    target_id: str = Field(min_length=1, max_length=36)
    screened_on: date
    jenjang: Literal["sd", "smp"]
    kelas: int = Field(ge=1, le=9)
    school_npsn: str | None = Field(default=None, pattern=r"^\d{8}$")
    weight_kg: float | None = Field(default=None, ge=10, le=150)
    height_cm: float | None = Field(default=None, ge=90, le=200)
    systolic: int | None = Field(default=None, ge=50, le=250)
    diastolic: int | None = Field(default=None, ge=30, le=160)
    vision: Literal["normal", "impaired"] | None = None
    hearing: Literal["normal", "impaired"] | None = None
    dental: Literal["healthy", "caries", "other"] | None = None
    hb_g_dl: float | None = Field(default=None, ge=3, le=20)
    mental_emotional: Literal["normal", "at_risk"] | None = Field(
        default=None, description="SDQ (Strengths and Difficulties Questionnaire) result"
    )
    findings: list[Finding] = Field(default_factory=list, max_length=12)
    follow_up: Literal["none", "referred_to_puskesmas"] = "none"
    posyandu_id: str | None = Field(default=None, max_length=36)


class SchoolScreeningOut(BaseModel):
    id: str
    target_id: str
    person_ref: str
    posyandu_id: str
    desa_code: str
    screened_on: date
    school_year: str
    school_npsn: str | None
    jenjang: str
    kelas: int
    weight_kg: float | None
    height_cm: float | None
    bmi: float | None = Field(description="kg/m²; no BMI-for-age z: WHO tables here end at 5")
    bmi_z: float | None
    nutrition: str | None
    systolic: int | None
    diastolic: int | None
    vision: str | None
    hearing: str | None
    dental: str | None
    hb_g_dl: float | None
    mental_emotional: str | None
    findings: list[str]
    to_standard: bool
    missing_components: list[str]
    follow_up: str
    created_by: str
    created_at: datetime
