"""Immunisation coverage (aggregates) and the children overdue for a dose (person-level)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from simpul_platform.indicators import IndicatorValue


class ImmunisationCoverageOut(BaseModel):
    wilayah: str | None
    posyandu_id: str | None
    period: str
    indicators: list[IndicatorValue]


class MissingDoseOut(BaseModel):
    antigen: str = Field(examples=["MR"])
    dose: int = Field(examples=[1])
    due_on: date = Field(examples=["2026-09-20"])
    days_overdue: int = Field(ge=0, examples=[14], description="0: due on the day itself")


class OverdueChildOut(BaseModel):
    target_id: str
    nik: str = Field(examples=["640206********01"], description="masked")
    name: str
    sex: str
    birth_date: date
    age_months: int = Field(ge=0, examples=[9])
    missing: list[MissingDoseOut]


class OverdueOut(BaseModel):
    posyandu_id: str
    on: date
    total: int = Field(description="Children overdue, before limit and offset")
    limit: int
    offset: int
    children: list[OverdueChildOut]
