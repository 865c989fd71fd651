"""Screening of remaja, usia produktif and lansia, and its follow-up."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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
