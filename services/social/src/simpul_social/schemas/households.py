"""Households (No. KK), their members (NIK) and DTSEN deciles."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from simpul_social.schemas import Out
from simpul_social.schemas.identifiers import Kk, Nik

Relationship = Literal["kepala", "istri", "suami", "anak", "menantu", "cucu", "orang_tua", "lain"]


class DecileIn(BaseModel):
    """A DTSEN welfare decile with where and when it came from."""

    decile: int = Field(ge=1, le=10, examples=[2])
    source: str = Field(min_length=1, max_length=40, examples=["DTSEN"])
    assessed_on: date = Field(examples=["2026-10-01"])


class MemberIn(BaseModel):
    """A household member by NIK; sex and birth date default to what the NIK encodes."""

    nik: Nik = Field(examples=["6402064107200001"])
    name: str = Field(min_length=1, max_length=120, examples=["Siti Aminah"])
    relationship: Relationship = Field(examples=["anak"])
    sex: Literal["L", "P"] | None = Field(default=None, examples=["P"])
    birth_date: date | None = Field(default=None, examples=["2020-07-01"])


class HouseholdIn(BaseModel):
    """A household (No. KK) in a posyandu's area, with its members and, if known, its decile."""

    kk: Kk = Field(examples=["6402060101200001"])
    posyandu_id: str = Field(min_length=1, max_length=36, examples=["3f1c1c2e-posyandu"])
    address: str = Field(min_length=1, max_length=200, examples=["Jl. Mangkurawang No. 12"])
    rt: str | None = Field(default=None, pattern=r"^\d{1,3}$", examples=["003"])
    rw: str | None = Field(default=None, pattern=r"^\d{1,3}$", examples=["001"])
    members: list[MemberIn] = Field(default_factory=list, max_length=30)
    decile: DecileIn | None = None


class MemberOut(Out):
    id: str
    nik_masked: str = Field(examples=["640206********01"])
    person_ref: str
    name: str
    sex: str
    birth_date: date
    relationship: str


class AssessmentOut(Out):
    decile: int
    source: str
    assessed_on: date
    recorded_by: str
    recorded_at: datetime


class HouseholdOut(Out):
    id: str
    kk: str = Field(examples=["6402060101200001"])
    household_ref: str
    posyandu_id: str
    desa_code: str = Field(examples=["64.02.06.2012"])
    address: str
    rt: str | None
    rw: str | None
    decile: int | None = Field(examples=[2])
    decile_source: str | None
    decile_assessed_on: date | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class HouseholdDetail(HouseholdOut):
    members: list[MemberOut]
    assessments: list[AssessmentOut]
