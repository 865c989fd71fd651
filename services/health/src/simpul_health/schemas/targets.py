"""Targets (sasaran): a person at a posyandu. NIK and No. KK are for health roles only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.identity import NIK_PATTERN

Sex = Literal["M", "F"]


NIK = Field(pattern=NIK_PATTERN, examples=["6402065207230001"])


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
