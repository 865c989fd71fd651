"""Children (NIK, No. KK) and their education statuses. NIK and KK are for education roles
only; a read shows the NIK masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from simpul_education.domain.status import Source, Status
from simpul_education.schemas import Out
from simpul_platform.identity import KK_PATTERN, NIK_PATTERN

Sex = Literal["L", "P"]


class ChildIn(BaseModel):
    """A child or youth (0–18) at a posyandu; birth date and sex must agree with the NIK."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nik": "6402065207160001",
                    "kk": "6402060101200003",
                    "name": "Siti Aminah",
                    "sex": "P",
                    "birth_date": "2016-07-12",
                    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
                }
            ]
        }
    )
    nik: str = Field(pattern=NIK_PATTERN)
    kk: str = Field(pattern=KK_PATTERN)
    name: str = Field(min_length=1, max_length=120)
    sex: Sex
    birth_date: date
    posyandu_id: str = Field(min_length=1, max_length=36)


class StatusIn(BaseModel):
    """An education status on a day, from a source. ``kelas`` for sd (1–6), smp (7–9), sma
    (10–12) and smk (10–13); ``unit_name`` (required for paud) and ``npsn`` for a child in a
    unit."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "sd",
                    "kelas": 4,
                    "unit_name": "SDN 001 Tenggarong",
                    "npsn": "30401234",
                    "source": "kader_census",
                    "on": "2026-03-02",
                }
            ]
        }
    )
    status: Status
    kelas: int | None = Field(default=None, ge=1, le=13)
    unit_name: str | None = Field(default=None, min_length=1, max_length=120)
    npsn: str | None = Field(default=None, pattern=r"^\d{8}$")
    source: Source
    on: date


class StatusOut(Out):
    id: str
    status: str
    jenjang: str | None
    kelas: int | None
    unit_name: str | None
    npsn: str | None
    source: str
    on: date
    recorded_by: str
    recorded_at: datetime


class ChildOut(Out):
    id: str
    nik_masked: str = Field(examples=["640206********01"])
    person_ref: str
    household_ref: str
    name: str
    sex: Sex
    birth_date: date
    posyandu_id: str
    desa_code: str = Field(examples=["64.02.06.2012"])
    status: str | None = Field(description="the latest status by date; null: none recorded")
    status_on: date | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class ChildDetail(ChildOut):
    history: list[StatusOut] = Field(description="every status recorded, oldest first")


class StatusRecorded(ChildDetail):
    """The child after a recorded status, and the ATS case that status opened, if any."""

    ats_case_id: str | None = Field(
        default=None,
        description="the ATS case this status opened: out_of_school for a child 7–18 with no "
        "open case",
    )
