"""Bansos programs and distributions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from simpul_platform.indicators import PERIOD_PATTERN
from simpul_social.domain.periods import PeriodType
from simpul_social.schemas import Out


class ProgramIn(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9_\-]{2,40}$", examples=["PKH"])
    name: str = Field(min_length=1, max_length=120, examples=["Program Keluarga Harapan"])
    period_type: PeriodType = Field(examples=["quarter"])
    benefit: Literal["cash", "goods", "service"] = Field(examples=["cash"])
    funder: str | None = Field(default=None, max_length=80, examples=["Kemensos"])


class ProgramOut(Out):
    code: str
    name: str
    period_type: str
    benefit: str
    funder: str | None
    active: bool


class DistributionIn(BaseModel):
    """One benefit: cash (amount_idr), goods, or both; the period must match the program's."""

    household_id: str = Field(min_length=1, max_length=36)
    program_code: str = Field(min_length=1, max_length=40, examples=["PKH"])
    period: str = Field(pattern=PERIOD_PATTERN, examples=["2026-Q4"])
    amount_idr: int | None = Field(default=None, gt=0, le=100_000_000, examples=[750000])
    goods: str | None = Field(default=None, min_length=1, max_length=200, examples=["beras 10 kg"])
    distributed_on: date = Field(examples=["2026-11-05"])
    status: Literal["distributed", "pending"] = "distributed"


class DistributionOut(Out):
    id: str
    household_id: str
    program_code: str
    period: str
    posyandu_id: str
    desa_code: str
    amount_idr: int | None
    goods: str | None
    distributed_on: date
    status: str
    created_by: str
    created_at: datetime
