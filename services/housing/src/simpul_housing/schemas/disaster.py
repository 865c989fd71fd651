"""Disaster housing: a disaster event, its SK Bupati, its damaged houses and each step they
take. A house names its household by pseudonym: the No. KK given at the report stays there."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from simpul_housing.domain.disaster import AidProgram, Damage, DisasterKind, Handling
from simpul_housing.schemas import Out
from simpul_platform.clock import IsoDate
from simpul_platform.identity import KK_PATTERN
from simpul_platform.wilayah import WILAYAH_PATTERN


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DisasterIn(_In):
    """A disaster in the district: what struck, when, and the wilayah it struck (a kabupaten,
    kecamatan or desa code)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "banjir",
                    "name": "Banjir Tenggarong Februari 2026",
                    "occurred_on": "2026-02-08",
                    "wilayah_code": "64.02.06",
                }
            ]
        },
    )
    kind: DisasterKind
    name: str = Field(min_length=3, max_length=160)
    occurred_on: IsoDate
    wilayah_code: str = Field(pattern=WILAYAH_PATTERN, examples=["64.02.06"])


class SkIn(_In):
    """The SK Bupati fixing the damage classes of the disaster's assessed houses, and the year
    t they are planned to be handled in. Set once."""

    sk_number: str = Field(min_length=3, max_length=80, examples=["100.3.3.2/K.123/2026"])
    sk_date: IsoDate
    planned_year: int = Field(ge=2000, le=2100)


class DisasterHouseIn(_In):
    """A damaged house: a house housing recorded (``house_id``; ``kk`` picks the household
    when several live there), a household by No. KK at a posyandu (for a house not recorded),
    or an incoming ``disaster_damage`` referral (``referral_id``: its household and posyandu)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"kk": "6402061234560001", "posyandu_id": "3f1c2a9e-1111-4c7e-9a55"}]
        },
    )
    house_id: str | None = Field(default=None, min_length=1, max_length=36)
    kk: str | None = Field(default=None, pattern=KK_PATTERN)
    posyandu_id: str | None = Field(default=None, min_length=1, max_length=36)
    referral_id: str | None = Field(default=None, min_length=1, max_length=36)
    reported_on: IsoDate | None = Field(default=None, description="today when omitted")


class AssessIn(_In):
    """The damage class found (PUPR 2021 RR/RS/RB; BPS's hilang and belum_ditentukan)."""

    damage: Damage
    assessed_on: IsoDate | None = Field(default=None, description="today when omitted")


class HandleIn(_In):
    """The form of help, fitting the fixed class: rehabilitation (rr/rs), rebuild on site
    (rb), new build at a safe site (relocation: rb/hilang), rental access (any)."""

    handling: Handling
    started_on: IsoDate | None = Field(default=None, description="today when omitted")


class CompleteIn(_In):
    """The handling is done: who funded it (the household's aid history) and how much."""

    program: AidProgram
    amount: int | None = Field(default=None, ge=0, le=2_000_000_000, description="rupiah")
    completed_on: IsoDate | None = Field(default=None, description="today when omitted")


class DisasterOut(Out):
    id: str
    kind: str
    name: str
    occurred_on: date
    wilayah_code: str
    sk_number: str | None
    sk_date: date | None
    planned_year: int | None
    source: str
    source_event_id: str | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class DisasterDetail(DisasterOut):
    houses_by_damage: dict[str, int] = Field(
        description="its damaged houses per class; 'unassessed' for those not assessed yet",
        examples=[{"rr": 4, "rs": 2, "rb": 1, "unassessed": 1}],
    )
    houses_by_status: dict[str, int] = Field(examples=[{"fixed": 6, "completed": 1}])


class DisasterHouseOut(Out):
    id: str
    event_id: str
    house_id: str | None
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    status: str
    source: str
    referral_id: str | None
    reported_on: date
    damage: str | None
    assessed_on: date | None
    planned_year: int | None
    handling: str | None
    handling_started_on: date | None
    completed_on: date | None
    allowed_actions: list[str] = Field(description="the steps its status allows")
    allowed_handlings: list[str] = Field(description="the forms of help its class allows")
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class DisasterHouseBySourceOut(Out):
    """A damaged house of a disaster another service announced, by that service's id of it
    (the household by pseudonym): habitable again once ``status`` is ``completed``."""

    source_event_id: str
    household_ref: str | None
    desa_code: str
    damage: str | None
    status: str
    completed_on: date | None


class StepOut(Out):
    action: str
    from_status: str | None
    to_status: str
    step_on: date
    codes: dict[str, Any]
    actor: str
    at: datetime


class DisasterHouseDetail(DisasterHouseOut):
    history: list[StepOut]


class CatalogueOut(BaseModel):
    kinds: list[str]
    damage: list[str]
    handling_fits: dict[str, list[str]] = Field(description="handling → the classes it fits")
    aid_programs: list[str]
