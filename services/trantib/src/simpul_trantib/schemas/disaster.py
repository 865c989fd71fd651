"""Disasters: the declaration, the rapid assessment, one body per step, the affected households
in bulk; the disaster with its history and counted households out. A household's No. KK and a
child's NIK come in and stay in the service: reads show them masked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from simpul_platform.clock import IsoDate
from simpul_platform.errors import FieldError
from simpul_platform.identity import KK_PATTERN, NIK_PATTERN
from simpul_platform.wilayah import DESA_PATTERN
from simpul_trantib.domain.disaster import Damage, DisasterKind, DisasterStatus, EmergencyLevel
from simpul_trantib.schemas import Out

MAX_DESA = 500
MAX_HOUSEHOLDS = 1000
Count = Annotated[int, Field(ge=0, le=10_000_000)]
DesaCode = Annotated[str, StringConstraints(pattern=DESA_PATTERN)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DisasterIn(_In):
    """A disaster declared: what struck (BNPB's vocabulary), when, the desa it struck (all in
    the caller's wilayah), and the status SK when there is one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "banjir",
                    "name": "Banjir Tenggarong Februari 2026",
                    "occurred_on": "2026-02-08",
                    "affected_desa": ["64.02.06.2012", "64.02.06.2001"],
                    "status_sk_number": "360/123/BPBD/2026",
                    "status_sk_date": "2026-02-09",
                    "emergency_level": "tanggap_darurat",
                }
            ]
        },
    )

    kind: DisasterKind
    name: str = Field(min_length=3, max_length=160)
    occurred_on: IsoDate
    affected_desa: list[DesaCode] = Field(min_length=1, max_length=MAX_DESA)
    status_sk_number: str | None = Field(default=None, min_length=3, max_length=80)
    status_sk_date: IsoDate | None = None
    emergency_level: EmergencyLevel | None = None


class Facilities(_In):
    """Public facilities damaged (BNPB): schools, places of worship, health, offices, bridges."""

    pendidikan: Count = 0
    peribadatan: Count = 0
    kesehatan: Count = 0
    kantor: Count = 0
    jembatan: Count = 0


class AssessmentIn(_In):
    """The rapid assessment's totals (BNPB): people, houses by damage, facilities, and the
    victims needing rescue and evacuation. Sent again as the counts grow."""

    assessed_on: IsoDate | None = Field(default=None, description="today when omitted")
    dead: Count = 0
    missing: Count = 0
    injured: Count = 0
    displaced: Count = 0
    affected: Count = 0
    houses_rr: Count = 0
    houses_rs: Count = 0
    houses_rb: Count = 0
    facilities: Facilities = Field(default_factory=Facilities)
    needing_evacuation: Count = 0


class StepIn(_In):
    on: IsoDate | None = Field(default=None, description="today when omitted")
    note: str | None = Field(default=None, max_length=500)


class EvacuateIn(StepIn):
    evacuated: int = Field(ge=0, le=10_000_000, description="victims rescued and evacuated")


class StepOut(Out):
    action: str
    from_status: str | None
    to_status: str
    step_on: date
    codes: dict[str, Any]
    note: str | None
    actor: str
    at: datetime


class DisasterOut(Out):
    id: str
    kind: DisasterKind
    name: str
    occurred_on: date
    wilayah_code: str
    affected_desa: list[str]
    status: DisasterStatus
    status_sk_number: str | None
    status_sk_date: date | None
    emergency_level: EmergencyLevel | None
    assessed_on: date | None
    dead: int
    missing: int
    injured: int
    displaced: int
    affected: int
    houses_rr: int
    houses_rs: int
    houses_rb: int
    facilities: dict[str, int]
    needing_evacuation: int
    evacuated: int
    closed_on: date | None


class HouseholdCounts(BaseModel):
    total: int
    by_damage: dict[str, int] = Field(description="rr, rs, rb, hilang, none")
    displaced: int
    evacuated: int
    children_referred: int


class DisasterDetail(DisasterOut):
    allowed_actions: list[str]
    history: list[StepOut]
    households: HouseholdCounts


# --- affected households in bulk ------------------------------------------------------------


class ChildIn(_In):
    nik: str = Field(pattern=NIK_PATTERN, description="stays in this service")
    birth_date: IsoDate


class HouseholdIn(_In):
    """An affected household by No. KK at a posyandu of an affected desa."""

    kk: str = Field(pattern=KK_PATTERN, description="stays in this service")
    posyandu_id: str = Field(min_length=1, max_length=36)
    damage: Damage
    displaced: bool
    members: int = Field(ge=1, le=50)
    evacuated: bool = False
    school_age_children: list[ChildIn] = Field(default_factory=list, max_length=20)


HOUSEHOLD_EXAMPLE: dict[str, Any] = {
    "kk": "6402061234560001",
    "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
    "damage": "rs",
    "displaced": True,
    "members": 5,
    "evacuated": True,
    "school_age_children": [{"nik": "6402065005150001", "birth_date": "2015-05-10"}],
}


class HouseholdBatchIn(_In):
    """Affected households (≤ 1,000), each a HouseholdIn checked on its own: a bad one gets an
    error result and never refuses the others."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"items": [HOUSEHOLD_EXAMPLE]}]}
    )

    assessed_on: IsoDate | None = Field(default=None, description="today when omitted")
    # Plain objects: a HouseholdIn each, validated one by one (an item's error is its result).
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=MAX_HOUSEHOLDS,
        description=f"at most {MAX_HOUSEHOLDS:,} households, each a HouseholdIn",
    )


ItemStatus = Literal["recorded", "error"]


class HouseholdItemResult(BaseModel):
    """``recorded``: the household is the disaster's, its displaced school-age children referred
    to education (``children_referred``); ``error``: nothing written, ``errors`` say why
    (``outside_disaster_area``, ``duplicate_household``, ``duplicate_in_batch``, ...)."""

    index: int
    status: ItemStatus
    household_id: str | None = None
    household_ref: str | None = None
    children_referred: int = 0
    errors: list[FieldError] = Field(default_factory=list)


class HouseholdBatchOut(BaseModel):
    recorded: int
    errors: int
    children_referred: int = 0
    results: list[HouseholdItemResult] = Field(description="one per item, in the request's order")


class HouseholdOut(Out):
    id: str
    kk_masked: str
    household_ref: str
    posyandu_id: str
    desa_code: str
    damage: Damage
    displaced: bool
    members: int
    evacuated: bool
    assessed_on: date
