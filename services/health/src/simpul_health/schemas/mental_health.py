"""ODGJ berat: a case in care, its closing, and its services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class MentalHealthCaseIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target_id": "9b7e0c1e-2222-4d1e-8f00-000000000004",
                    "diagnosis": "F20.0",
                    "registered_on": "2025-02-03",
                    "restrained": True,
                }
            ]
        }
    )
    target_id: str = Field(min_length=1, max_length=36)
    diagnosis: str = Field(
        min_length=1, max_length=8, description="ICD-10: F20–F29, or F30–F33 with psychosis"
    )
    registered_on: date
    restrained: bool = Field(default=False, description="Found in pasung (restrained)")
    posyandu_id: str | None = Field(default=None, max_length=36)


class MentalHealthCasePatch(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "recovered", "closed_on": "2025-11-20"}]}
    )
    status: Literal["recovered", "moved", "died"] | None = None
    closed_on: date | None = None
    restrained: bool | None = None


class MentalHealthServiceIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "served_on": "2025-03-05",
                    "mental_status_exam": True,
                    "adherence_education": True,
                    "medication_given": True,
                    "home_visit": False,
                }
            ]
        }
    )
    served_on: date
    mental_status_exam: bool = False
    adherence_education: bool = False
    medication_given: bool = False
    home_visit: bool = False


class MentalHealthServiceOut(BaseModel):
    id: str
    served_on: date
    mental_status_exam: bool
    adherence_education: bool
    medication_given: bool
    home_visit: bool
    to_standard: bool


class MentalHealthCaseOut(BaseModel):
    id: str
    target_id: str
    posyandu_id: str
    desa_code: str
    diagnosis: str
    registered_on: date
    restrained: bool
    status: str
    closed_on: date | None
    services: list[MentalHealthServiceOut]
    updated_by: str
    updated_at: datetime
