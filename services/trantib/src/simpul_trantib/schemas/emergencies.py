"""DPMD's emergencies view as trantib answers it: fires that missed the response time, and
every disaster and damaging fire with the households it struck (pseudonyms, never a No. KK)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class MissedFire(BaseModel):
    """A fire whose crew arrived after the response time, or has no arrival recorded once
    that time has passed."""

    incident_id: str
    posyandu_id: str
    desa_code: str = Field(examples=["64.02.06.2012"])
    object_kind: str = Field(examples=["rumah"])
    fire_post_id: str | None
    fire_post_name: str | None = Field(examples=["Pos Damkar Tenggarong"])
    inside_wmk: bool
    distance_km: float | None = Field(description="from the fire post to the fire")
    report_received_at: datetime
    arrived_at: datetime | None = Field(description="null: no arrival recorded")
    response_seconds: int | None = Field(description="arrival − report received")


class AffectedHousehold(BaseModel):
    """A household an emergency struck, by its pseudonym."""

    household_ref: str
    desa_code: str
    damage: str = Field(examples=["rb"], description="rr, rs, rb, hilang (a disaster's: none)")
    displaced: bool | None = Field(description="null where it is not recorded (a fire)")


class Emergency(BaseModel):
    """A disaster, or a fire that damaged houses, with the households it struck in the
    wilayah asked."""

    kind: Literal["fire", "disaster"]
    id: str = Field(description="the fire incident's or the disaster's id (source_event_id)")
    name: str = Field(examples=["Kebakaran rumah 64.02.06.2012 2026-07-03"])
    hazard: str = Field(examples=["banjir"], description="BNPB's vocabulary; a fire: kebakaran")
    occurred_on: date
    wilayah_code: str = Field(description="the smallest area it struck (a fire: its desa)")
    households: list[AffectedHousehold]


class Emergencies(BaseModel):
    wilayah: str
    period: str
    response_minutes: int = Field(examples=[15], description="the response time fires must meet")
    missed_fires: list[MissedFire] = Field(description="earliest reported first")
    emergencies: list[Emergency] = Field(description="earliest first")
