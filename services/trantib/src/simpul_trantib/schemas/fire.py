"""Fire posts, desa points (the WMK), fire incidents and their damaged houses: bodies in,
records out. A damaged house's No. KK is shown masked; an incident's place is a house's and
stays in the service (its events carry the desa only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from simpul_platform.identity import KK_PATTERN
from simpul_platform.wilayah import WILAYAH_PATTERN
from simpul_trantib.domain.fire import Cause, Damage, FireStatus, ObjectKind
from simpul_trantib.schemas import Instant, Out

# Either axis may hold either value: a swapped pair is named by the check, not the schema.
# Strict: a number, as the schema says (``false`` is not 0.0, nor ``0`` false).
Latitude = Annotated[float, Field(ge=-180, le=180, strict=True, examples=[-0.4203])]
Longitude = Annotated[float, Field(ge=-180, le=180, strict=True, examples=[116.9871])]
Count = Annotated[int | None, Field(ge=0, le=100_000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- fire posts and desa points -----------------------------------------------------------


class FirePostIn(_In):
    """A fire post (pos Damkar): its name, the kabupaten or kecamatan it sits in, its place."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Pos Damkar Tenggarong",
                    "wilayah_code": "64.02.06",
                    "latitude": -0.4203,
                    "longitude": 116.9871,
                }
            ]
        },
    )
    name: str = Field(min_length=3, max_length=120)
    wilayah_code: str = Field(pattern=WILAYAH_PATTERN, examples=["64.02.06"])
    latitude: Latitude
    longitude: Longitude
    active: StrictBool = True


class FirePostPatch(_In):
    """A post renamed, moved (latitude and longitude together) or (de)activated."""

    name: str | None = Field(default=None, min_length=3, max_length=120)
    latitude: float | None = Field(default=None, ge=-180, le=180, strict=True)
    longitude: float | None = Field(default=None, ge=-180, le=180, strict=True)
    active: StrictBool | None = None


class FirePostOut(Out):
    id: str
    name: str
    wilayah_code: str
    latitude: float
    longitude: float
    active: bool
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class FirePostWritten(FirePostOut):
    """A post as written, and how many desa points it changed (their nearest post or WMK)."""

    desa_points_changed: int


class DesaPointIn(_In):
    """The desa's reference point: its kantor desa."""

    latitude: Latitude
    longitude: Longitude


class DesaPointOut(Out):
    """A desa's point with its nearest active post and whether it lies inside that post's WMK
    (distance ≤ the radius; no active post: outside)."""

    desa_code: str
    latitude: float
    longitude: float
    nearest_post_id: str | None
    distance_km: float | None
    inside_wmk: bool
    updated_by: str
    updated_at: datetime


# --- fire incidents -----------------------------------------------------------------------


class FireIncidentIn(_In):
    """A fire reported to Damkar at a posyandu's desa: where, when the call was received,
    what burnt, and any later times already known."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
                    "place": "RT 05, Jl. Poros Rapak Lambur",
                    "latitude": -0.4203,
                    "longitude": 116.9871,
                    "report_received_at": "2026-03-02T13:05:00+08:00",
                    "object_kind": "rumah",
                    "cause": "listrik",
                }
            ]
        },
    )
    posyandu_id: str = Field(min_length=1, max_length=36)
    place: str = Field(min_length=3, max_length=300, description="the address; never a person")
    latitude: Latitude
    longitude: Longitude
    report_received_at: Instant
    object_kind: ObjectKind
    cause: Cause | None = None
    dispatched_at: Instant | None = None
    turnout_at: Instant | None = None
    arrived_at: Instant | None = None
    action_started_at: Instant | None = None
    controlled_at: Instant | None = None
    extinguished_at: Instant | None = None


class FireTimesIn(_In):
    """Times recorded (or corrected) as the incident goes: any of them, in order with the
    others, none in the future."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"arrived_at": "2026-03-02T13:17:30+08:00"}]},
    )
    dispatched_at: Instant | None = None
    turnout_at: Instant | None = None
    arrived_at: Instant | None = None
    action_started_at: Instant | None = None
    controlled_at: Instant | None = None
    extinguished_at: Instant | None = None


class FireIncidentPatch(_In):
    """Casualties (Permendagri 114/2018: langsung and terdampak; injured, dead, traumatised),
    loss, the units and crew deployed, the investigation and its cause."""

    direct_injured: Count = None
    direct_dead: Count = None
    direct_trauma: Count = None
    affected_injured: Count = None
    affected_dead: Count = None
    affected_trauma: Count = None
    loss_rupiah: int | None = Field(default=None, ge=0, le=10**15)
    units: int | None = Field(default=None, ge=0, le=1000)
    crew: int | None = Field(default=None, ge=0, le=10_000)
    investigation: str | None = Field(default=None, max_length=2000)
    cause: Cause | None = None


class DamagedHouseIn(_In):
    """A house the fire damaged: the household living there by No. KK at its posyandu."""

    kk: str = Field(pattern=KK_PATTERN, examples=["6402061234560001"])
    posyandu_id: str = Field(min_length=1, max_length=36)
    damage: Damage
    members: int | None = Field(default=None, ge=1, le=50)


class DamagedHousesIn(_In):
    items: list[DamagedHouseIn] = Field(min_length=1, max_length=500)


class FireIncidentOut(Out):
    """An incident as it stands. ``response_seconds`` = arrival − report received;
    ``missed``: the response was over the limit, or no arrival is recorded and the limit is
    past."""

    id: str
    posyandu_id: str
    desa_code: str
    place: str
    latitude: float
    longitude: float
    status: FireStatus
    report_received_at: datetime
    dispatched_at: datetime | None
    turnout_at: datetime | None
    arrived_at: datetime | None
    action_started_at: datetime | None
    controlled_at: datetime | None
    extinguished_at: datetime | None
    closed_at: datetime | None
    fire_post_id: str | None
    distance_km: float | None
    inside_wmk: bool
    response_seconds: int | None
    response_met: bool | None
    missed: bool
    object_kind: str
    cause: str | None
    direct_injured: int
    direct_dead: int
    direct_trauma: int
    affected_injured: int
    affected_dead: int
    affected_trauma: int
    loss_rupiah: int | None
    units: int | None
    crew: int | None
    investigation: str | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class DamagedHouseOut(Out):
    """A damaged house's household: No. KK masked, its pseudonym, the damage class."""

    id: str
    kk: str = Field(examples=["640206********01"])
    household_ref: str
    posyandu_id: str
    desa_code: str
    damage: str
    displaced: bool
    members: int | None
    created_by: str
    created_at: datetime


class FireIncidentDetail(FireIncidentOut):
    damaged_houses: list[DamagedHouseOut]


class ResponseStats(BaseModel):
    """Incidents reported in the period, those with an arrival recorded, the response time's
    mean and median over them (seconds), and the SPM share: incidents met ÷ incidents."""

    incidents: int
    arrived: int
    met: int
    share_met_percent: float | None = Field(description="null when there is no incident")
    mean_response_seconds: float | None
    median_response_seconds: float | None


class PostResponse(ResponseStats):
    """One fire post's incidents (those nearest to it); ``fire_post_id`` null: no active post."""

    fire_post_id: str | None
    name: str | None


class FireResponseOut(ResponseStats):
    """The response time in a wilayah and period (by the report's local date), overall, inside
    and outside the WMK, and per fire post."""

    wilayah: list[str]
    period: str
    start: date
    end: date
    limit_minutes: int
    inside_wmk: ResponseStats
    outside_wmk: ResponseStats
    by_post: list[PostResponse]


def shown(row: Any, **extra: Any) -> dict[str, Any]:
    """A row's columns with computed members added."""
    return {**row.model_dump(), **extra}
