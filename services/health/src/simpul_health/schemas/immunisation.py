"""Immunisation: a dose given, and completeness against the schedule."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


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
