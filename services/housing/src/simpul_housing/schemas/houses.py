"""Houses and the households living in them. The No. KK and the head's name are for housing
roles only; a read shows the KK masked."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from simpul_housing.domain.survey import LandStatus, Tenure
from simpul_housing.schemas import Out
from simpul_platform.clock import IsoDate
from simpul_platform.identity import KK_PATTERN

RT_RW_PATTERN = r"^\d{3}$"


class HouseholdIn(BaseModel):
    """A household living in the house, by No. KK."""

    kk: str = Field(pattern=KK_PATTERN)
    head_name: str | None = Field(default=None, min_length=1, max_length=120)
    members: int | None = Field(default=None, ge=1, le=30)
    moved_in_on: IsoDate | None = None


class HouseIn(BaseModel):
    """A house at the desa of a posyandu: where (dusun, RT/RW, optional coordinates), tenure,
    land status, occupants, and the households living there (none for an empty house)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
                    "dusun": "Dusun II",
                    "rt": "007",
                    "rw": "002",
                    "latitude": -0.4211,
                    "longitude": 116.9852,
                    "tenure": "milik_sendiri",
                    "land_status": "milik_sendiri",
                    "occupants": 5,
                    "households": [{"kk": "6402060101200003", "head_name": "Rahmat", "members": 5}],
                }
            ]
        }
    )
    posyandu_id: str = Field(min_length=1, max_length=36)
    dusun: str | None = Field(default=None, min_length=1, max_length=60)
    rt: str = Field(pattern=RT_RW_PATTERN)
    rw: str = Field(pattern=RT_RW_PATTERN)
    address: str | None = Field(default=None, min_length=1, max_length=200)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    tenure: Tenure
    land_status: LandStatus
    occupants: int = Field(ge=0, le=60)
    households: list[HouseholdIn] = Field(default_factory=list, max_length=10)


class HouseholdOut(Out):
    id: str
    kk_masked: str = Field(examples=["640206********03"])
    household_ref: str
    head_name: str | None
    members: int | None
    moved_in_on: date | None
    moved_out_on: date | None
    recorded_by: str
    recorded_at: datetime


class HouseOut(Out):
    id: str
    posyandu_id: str
    desa_code: str = Field(examples=["64.02.06.2012"])
    dusun: str | None
    rt: str
    rw: str
    address: str | None
    latitude: float | None
    longitude: float | None
    tenure: str
    land_status: str
    occupants: int
    latest_assessment_id: str | None
    assessed_on: date | None
    rtlh_pupr: bool | None = Field(description="the latest survey's: null when never surveyed")
    rtlh_rutilahu: bool | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class HouseDetail(HouseOut):
    households: list[HouseholdOut] = Field(description="households living there now")
