"""API models: what clients send and receive. Person-level outputs are for health roles only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.indicators import IndicatorValue

Sex = Literal["M", "F"]
NIK = Field(pattern=r"^\d{16}$", examples=["6402065207230001"])


class TargetIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nik": "6402065207230001",
                    "kk": "6402060101200003",
                    "name": "Siti Aminah",
                    "sex": "F",
                    "birth_date": "2023-07-12",
                    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
                }
            ]
        }
    )
    nik: str = NIK
    kk: str | None = Field(default=None, pattern=r"^\d{16}$")
    name: str = Field(min_length=1, max_length=120)
    sex: Sex
    birth_date: date
    posyandu_id: str = Field(min_length=1, max_length=36)


class TargetOut(BaseModel):
    id: str
    nik: str
    kk: str | None
    name: str
    sex: Sex
    birth_date: date
    posyandu_id: str
    desa_code: str
    person_ref: str
    household_ref: str | None
    life_cycle_group: str
    created_by: str
    created_at: datetime


class MeasurementIn(BaseModel):
    """One weighing of a balita. ``confirmed_implausible`` overrides WHO's plausibility flags."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "target_id": "9b7e0c1e-2222-4d1e-8f00-000000000001",
                    "measured_on": "2025-08-05",
                    "weight_kg": 10.2,
                    "height_cm": 80.0,
                    "measure_position": "standing",
                    "muac_cm": 14.1,
                    "vitamin_a": True,
                }
            ]
        },
    )
    target_id: str = Field(min_length=1, max_length=36)
    measured_on: date
    weight_kg: float = Field(ge=0.5, le=40)
    height_cm: float | None = Field(default=None, ge=35, le=130)
    measure_position: Literal["recumbent", "standing"] | None = None
    muac_cm: float | None = Field(default=None, ge=5, le=30)
    head_circumference_cm: float | None = Field(default=None, ge=25, le=60)
    vitamin_a: bool = False
    supplementary_food: bool = False
    confirmed_implausible: bool = False


class MeasurementOut(BaseModel):
    id: str
    target_id: str
    posyandu_id: str
    measured_on: date
    age_days: int
    sex: Sex
    weight_kg: float
    height_cm: float | None
    measure_position: str | None
    muac_cm: float | None
    head_circumference_cm: float | None
    vitamin_a: bool
    supplementary_food: bool
    haz: float | None
    waz: float | None
    whz: float | None
    bmiz: float | None
    height_for_age: str | None
    weight_for_age: str | None
    weight_for_height: str | None
    growth: str | None
    growth_faltering: bool
    created_by: str
    created_at: datetime


class BulkIn(BaseModel):
    """A posyandu day: up to 1,000 measurements; each item is checked on its own."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
                    "items": [
                        {
                            "target_id": "9b7e0c1e-2222-4d1e-8f00-000000000001",
                            "measured_on": "2025-08-05",
                            "weight_kg": 10.2,
                            "height_cm": 80.0,
                            "measure_position": "standing",
                        }
                    ],
                }
            ]
        }
    )
    posyandu_id: str = Field(min_length=1, max_length=36)
    # Items are validated one by one (a bad item never rejects the batch): MeasurementIn each.
    items: list[dict[str, Any]] = Field(min_length=1, max_length=1000)


class ItemError(BaseModel):
    field: str
    rule: str
    message: str


class BulkItemResult(BaseModel):
    index: int
    status: Literal["created", "duplicate", "rejected"]
    measurement_id: str | None = None
    errors: list[ItemError] = Field(default_factory=list)


class BulkOut(BaseModel):
    posyandu_id: str
    created: int
    duplicates: int
    rejected: int
    results: list[BulkItemResult]


class ImmunisationIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"antigen": "BCG", "dose": 1, "given_on": "2025-02-03"}]}
    )
    antigen: str = Field(min_length=1, max_length=20)
    dose: int = Field(ge=1, le=10)
    given_on: date
    posyandu_id: str | None = Field(default=None, max_length=36)


class ImmunisationOut(BaseModel):
    id: str
    target_id: str
    antigen: str
    dose: int
    given_on: date
    created_by: str
    created_at: datetime


class DoseOut(BaseModel):
    antigen: str
    dose: int
    due_age_days: int


class ImmunisationStatusOut(BaseModel):
    target_id: str
    on: date
    age_days: int
    due: list[DoseOut]
    given: list[DoseOut]
    missing: list[DoseOut]
    complete_for_age: bool
    idl: bool


class PregnancyIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target_id": "9b7e0c1e-2222-4d1e-8f00-000000000002",
                    "registered_on": "2025-03-01",
                    "last_menstrual_period": "2025-01-10",
                    "gravida": 2,
                    "lila_cm": 22.8,
                    "hb_g_dl": 10.4,
                }
            ]
        }
    )
    target_id: str = Field(min_length=1, max_length=36)
    registered_on: date
    last_menstrual_period: date
    gravida: int = Field(ge=1, le=20)
    lila_cm: float | None = Field(default=None, ge=10, le=50)
    hb_g_dl: float | None = Field(default=None, ge=3, le=20)
    posyandu_id: str | None = Field(default=None, max_length=36)


class AncVisitIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "visit_number": 2,
                    "visited_on": "2025-04-02",
                    "lila_cm": 23.0,
                    "hb_g_dl": 10.8,
                    "systolic": 120,
                    "diastolic": 80,
                    "iron_tablets": 30,
                }
            ]
        }
    )
    visit_number: int = Field(ge=1, le=6, description="K1…K6")
    visited_on: date
    lila_cm: float | None = Field(default=None, ge=10, le=50)
    hb_g_dl: float | None = Field(default=None, ge=3, le=20)
    systolic: int | None = Field(default=None, ge=50, le=300)
    diastolic: int | None = Field(default=None, ge=30, le=200)
    weight_kg: float | None = Field(default=None, ge=25, le=200)
    iron_tablets: int = Field(default=0, ge=0, le=120)


class DeliveryIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"delivered_on": "2025-10-12", "outcome": "live_birth", "birth_weight_kg": 3.1}
            ]
        }
    )
    delivered_on: date
    outcome: Literal["live_birth", "stillbirth", "miscarriage", "abortion"]
    birth_weight_kg: float | None = Field(default=None, ge=0.3, le=7)


class AncVisitOut(BaseModel):
    visit_number: int
    visited_on: date
    lila_cm: float | None
    hb_g_dl: float | None
    systolic: int | None
    diastolic: int | None
    iron_tablets: int
    flags: list[str]


class PregnancyOut(BaseModel):
    id: str
    target_id: str
    posyandu_id: str
    registered_on: date
    last_menstrual_period: date
    estimated_delivery: date
    gravida: int
    status: str
    flags: list[str]
    anc_visits: int
    iron_tablets_total: int
    visits: list[AncVisitOut]
    delivered_on: date | None
    outcome: str | None
    birth_weight_kg: float | None
    updated_by: str
    updated_at: datetime


class ScreeningIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target_id": "9b7e0c1e-2222-4d1e-8f00-000000000003",
                    "screened_on": "2025-05-06",
                    "systolic": 150,
                    "diastolic": 95,
                    "glucose_mg_dl": 210,
                    "glucose_kind": "random",
                    "weight_kg": 70,
                    "height_cm": 158,
                }
            ]
        }
    )
    target_id: str = Field(min_length=1, max_length=36)
    screened_on: date
    systolic: int | None = Field(default=None, ge=50, le=300)
    diastolic: int | None = Field(default=None, ge=30, le=200)
    glucose_mg_dl: float | None = Field(default=None, ge=20, le=1000)
    glucose_kind: Literal["fasting", "random"] | None = None
    hb_g_dl: float | None = Field(default=None, ge=3, le=20)
    weight_kg: float | None = Field(default=None, ge=10, le=300)
    height_cm: float | None = Field(default=None, ge=80, le=230)
    posyandu_id: str | None = Field(default=None, max_length=36)


class FollowUpIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"follow_up": "visited"}]})
    follow_up: Literal["none", "referred", "visited", "treated", "declined"]


class ScreeningOut(BaseModel):
    id: str
    target_id: str
    posyandu_id: str
    screened_on: date
    life_cycle_group: str
    age_years: int
    bmi: float | None
    flags: list[str]
    follow_up: str
    updated_by: str
    updated_at: datetime


class StuntingOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "wilayah": "64.02",
                    "posyandu_id": None,
                    "period": "2025-Q3",
                    "measured": 1200,
                    "stunted": 150,
                    "severely_stunted": 40,
                    "wasted": 60,
                    "underweight": 120,
                    "stunting_percent": 15.8,
                    "severely_stunted_percent": 3.3,
                    "wasted_percent": 5.0,
                    "underweight_percent": 10.0,
                }
            ]
        }
    )
    wilayah: str | None
    posyandu_id: str | None
    period: str
    measured: int
    stunted: int  # −3 ≤ HAZ < −2 (pendek)
    severely_stunted: int  # HAZ < −3 (sangat pendek)
    wasted: int  # WHZ < −2 (gizi kurang + gizi buruk)
    underweight: int  # WAZ < −2
    stunting_percent: float | None  # (stunted + severely stunted) / measured
    severely_stunted_percent: float | None
    wasted_percent: float | None
    underweight_percent: float | None
    definition: IndicatorValue | None = None


class SpmOut(BaseModel):
    wilayah: str | None
    posyandu_id: str | None
    period: str
    indicators: list[IndicatorValue]


class DesaStunting(BaseModel):
    """One desa's stunting counts; ``stunted`` includes the severely stunted here."""

    desa_code: str = Field(examples=["64.02.06.2001"])
    measured: int = Field(examples=[84])
    stunted: int = Field(examples=[17], description="HAZ < −2 (pendek and sangat pendek)")
    severely_stunted: int = Field(examples=[4], description="HAZ < −3 (sangat pendek)")
    prevalence_percent: float | None = Field(examples=[20.24])


class HealthSummary(BaseModel):
    """A posyandu's or wilayah's health picture for a period (gateway profile)."""

    period: str
    stunting: StuntingOut
    indicators: list[IndicatorValue]
