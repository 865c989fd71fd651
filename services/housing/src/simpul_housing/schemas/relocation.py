"""Relocation by a Pemda programme: the programme, its affected households (by No. KK, shown
masked) and each step they take."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from simpul_housing.domain.relocation import RelocationReason
from simpul_housing.schemas import Out
from simpul_housing.schemas.disaster import StepOut
from simpul_platform.clock import IsoDate
from simpul_platform.identity import KK_PATTERN
from simpul_platform.wilayah import WILAYAH_PATTERN


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProgrammeIn(_In):
    """A Pemda programme that relocates households: its name, the wilayah it affects, its
    year t and why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Relokasi sempadan Sungai Mahakam",
                    "wilayah_code": "64.02.06",
                    "year": 2026,
                    "reason": "sempadan_sungai",
                }
            ]
        },
    )
    name: str = Field(min_length=3, max_length=160)
    wilayah_code: str = Field(pattern=WILAYAH_PATTERN)
    year: int = Field(ge=2000, le=2100)
    reason: RelocationReason


class AffectedIn(_In):
    """A household the programme affects: by No. KK at a posyandu, or an incoming
    ``relocation_needed`` referral (its household and posyandu; ``kk`` when housing has not
    recorded the household's house, matching the referral's)."""

    kk: str | None = Field(default=None, pattern=KK_PATTERN)
    posyandu_id: str | None = Field(default=None, min_length=1, max_length=36)
    referral_id: str | None = Field(default=None, min_length=1, max_length=36)
    affected_on: IsoDate | None = Field(default=None, description="today when omitted")


class CheckIn(_In):
    """Each recipient criterion (``/v1/relocation-catalogue``) answered met (true) or not."""

    criteria: dict[str, bool] = Field(
        max_length=12,
        examples=[{"in_affected_area": True, "no_other_livable_house": True, "mbr": True}],
    )
    checked_on: IsoDate | None = Field(default=None, description="today when omitted")


class FacilitateIn(_In):
    facilitated_on: IsoDate | None = Field(default=None, description="today when omitted")


class HousedIn(_In):
    """Living in the new home (a house housing recorded, when it is)."""

    housed_on: IsoDate | None = Field(default=None, description="today when omitted")
    house_id: str | None = Field(default=None, min_length=1, max_length=36)


class ProgrammeOut(Out):
    id: str
    name: str
    wilayah_code: str
    year: int
    reason: str
    created_by: str
    created_at: datetime


class ProgrammeDetail(ProgrammeOut):
    households_by_status: dict[str, int] = Field(examples=[{"eligible": 3, "facilitated": 2}])


class RelocationOut(Out):
    id: str
    programme_id: str
    kk_masked: str = Field(examples=["640206********03"])
    household_ref: str
    house_id: str | None
    posyandu_id: str
    desa_code: str
    status: str
    year: int
    referral_id: str | None
    meets_criteria: bool | None
    facilitated_on: date | None
    housed_on: date | None
    allowed_actions: list[str]
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class RelocationDetail(RelocationOut):
    history: list[StepOut] = Field(description="each step; a check's codes say which criteria")


class RelocationCatalogueOut(BaseModel):
    reasons: list[str]
    criteria: list[str]
