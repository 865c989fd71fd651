"""Household water and sanitation surveys: the fields in, the ladder levels out. The No. KK is
for public-works roles only; a read shows it masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.clock import IsoDate
from simpul_platform.identity import KK_PATTERN
from simpul_public_works.domain.survey import (
    EColi,
    FaecesDisposal,
    Quality,
    ToiletFacility,
    ToiletType,
    WaterSource,
)
from simpul_public_works.schemas import Out

EXAMPLE: dict[str, Any] = {
    "kk": "6402060101200003",
    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
    "surveyed_on": "2026-03-02",
    "occupants": 5,
    "water_source": "sumur_terlindung",
    "distance_to_waste_m": 12.0,
    "on_premises": True,
    "available_24h": True,
    "litres_per_person_day": 55.0,
    "quality": [],
    "toilet_facility": "sendiri",
    "toilet_type": "cemplung_cubluk",
    "faeces_disposal": "lubang_tanah",
}


class SurveyIn(BaseModel):
    """A household's water and sanitation as a kader found them; the ladder is derived."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    kk: str = Field(pattern=KK_PATTERN)
    posyandu_id: str = Field(min_length=1, max_length=36)
    surveyed_on: IsoDate
    occupants: int = Field(ge=1, le=60)
    water_source: WaterSource
    washing_source: WaterSource | None = Field(
        default=None, description="required when the drinking water is bottled or refilled"
    )
    distance_to_waste_m: float | None = Field(
        default=None, ge=0, le=1000, description="required for a well or spring"
    )
    on_premises: bool
    fetch_minutes: int | None = Field(
        default=None, ge=0, le=600, description="round trip; required when not on the premises"
    )
    available_24h: bool
    litres_per_person_day: float | None = Field(default=None, ge=0, le=2000)
    quality: list[Quality] = Field(default_factory=list, max_length=5)
    e_coli: EColi | None = Field(default=None, description="null: not tested")
    toilet_facility: ToiletFacility
    toilet_type: ToiletType
    faeces_disposal: FaecesDisposal
    septic_emptied_on: IsoDate | None = None


class SurveyOut(Out):
    id: str
    household_id: str
    source: str = Field(examples=["kader"], description="kader, or housing (its house survey)")
    source_ref: str | None
    surveyed_on: date
    occupants: int
    water_source: str
    washing_source: str | None
    distance_to_waste_m: float | None
    on_premises: bool | None = Field(description="null: not asked (a survey from housing)")
    fetch_minutes: int | None
    available_24h: bool | None
    litres_per_person_day: float | None
    quality: list[str] | None = Field(description="null: not looked at (a survey from housing)")
    e_coli: str | None
    toilet_facility: str
    toilet_type: str
    faeces_disposal: str
    septic_emptied_on: date | None
    water_level: str = Field(examples=["layak_dasar"])
    water_rule: str = Field(examples=["improved_within_limit"])
    sanitation_level: str = Field(examples=["belum_layak"])
    sanitation_rule: str = Field(examples=["not_goose_neck"])
    basic_water: bool
    basic_water_failed: list[str] = Field(examples=[["under_60_litres"]])
    wastewater_service: str | None = Field(examples=["spald_s"])
    recorded_by: str
    recorded_at: datetime


class HouseholdOut(Out):
    id: str
    kk_masked: str | None = Field(
        examples=["640206********03"],
        description="null: known from housing's survey of its house, not yet by a kader",
    )
    household_ref: str
    posyandu_id: str
    desa_code: str
    latest_survey_id: str | None
    surveyed_on: date | None
    occupants: int | None
    water_level: str | None = Field(description="the latest survey's; null: never surveyed")
    sanitation_level: str | None
    basic_water: bool | None
    wastewater_service: str | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class SurveyRecorded(SurveyOut):
    household: HouseholdOut
