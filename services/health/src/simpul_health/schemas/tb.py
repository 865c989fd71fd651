"""Terduga TBC: a presumptive case and its examination."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class TbPresumptiveIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target_id": "9b7e0c1e-2222-4d1e-8f00-000000000005",
                    "identified_on": "2025-04-07",
                    "symptoms": ["cough_2_weeks", "night_sweats", "household_contact"],
                }
            ]
        }
    )
    target_id: str = Field(min_length=1, max_length=36)
    identified_on: date
    symptoms: list[str] = Field(
        max_length=12,
        description="Codes: cough_2_weeks, haemoptysis, fever, night_sweats, weight_loss, "
        "appetite_loss, shortness_of_breath, chest_pain, lymph_nodes, household_contact",
    )
    posyandu_id: str | None = Field(default=None, max_length=36)


class TbExaminationIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"examined_on": "2025-04-10", "examination": "tcm", "result": "mtb_not_detected"}
            ]
        }
    )
    examined_on: date
    examination: Literal["tcm", "microscopy", "xray", "clinical"]
    result: str = Field(
        min_length=1,
        max_length=20,
        description="tcm: mtb_detected, mtb_not_detected, rif_resistant; microscopy and "
        "clinical: positive, negative; xray: abnormal, normal",
    )


class TbPresumptiveOut(BaseModel):
    id: str
    target_id: str
    posyandu_id: str
    desa_code: str
    identified_on: date
    symptoms: list[str]
    household_contact: bool
    examined_on: date | None
    examination: str | None
    result: str | None
    examined_to_standard: bool
    updated_by: str
    updated_at: datetime
