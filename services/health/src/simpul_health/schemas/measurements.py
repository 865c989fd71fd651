"""Growth monitoring: one weighing of a balita, a posyandu day in bulk, their results."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from simpul_health.schemas.targets import Sex


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
    """A posyandu day: up to 1,000 measurements; each item is checked on its own. The
    posyandu is the path's."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
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
