"""APAR (fire extinguishers): the record in, one body per step, the APAR with its expiry flag
and a count per desa out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.clock import IsoDate
from simpul_trantib.domain.apar import Agent, BuildingKind
from simpul_trantib.schemas import Out

APAR_EXAMPLE: dict[str, Any] = {
    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
    "building_kind": "posyandu",
    "building_name": "Posyandu Melati",
    "location": "Dinding dekat pintu masuk",
    "agent": "powder",
    "capacity_kg": 3.0,
    "last_refilled_on": "2026-01-20",
    "expires_on": "2027-01-20",
}


class AparIn(BaseModel):
    """An APAR at a posyandu or a public building of the posyandu's desa. Installed for an
    incoming ``apar_needed`` referral: name it in ``referral_id`` (accepted and resolved)."""

    model_config = ConfigDict(json_schema_extra={"examples": [APAR_EXAMPLE]}, extra="forbid")

    posyandu_id: str = Field(min_length=1, max_length=36)
    building_kind: BuildingKind
    building_name: str = Field(min_length=1, max_length=120)
    location: str = Field(min_length=1, max_length=200, description="where in the building")
    agent: Agent
    capacity_kg: float = Field(gt=0, le=150)
    last_refilled_on: IsoDate | None = None
    expires_on: IsoDate
    referral_id: str | None = Field(default=None, max_length=36)


class RefillIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refilled_on: IsoDate | None = Field(default=None, description="today when omitted")
    expires_on: IsoDate


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checked_on: IsoDate | None = Field(default=None, description="today when omitted")
    pressure_ok: bool


class RetireIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    retired_on: IsoDate | None = Field(default=None, description="today when omitted")


class AparOut(Out):
    """An APAR; ``expired``: its expiry date has passed by the deployment's date."""

    id: str
    posyandu_id: str
    desa_code: str
    building_kind: str
    building_name: str
    location: str
    agent: str
    capacity_kg: float
    last_refilled_on: date | None
    expires_on: date
    expired: bool
    last_checked_on: date | None
    pressure_ok: bool | None
    retired_on: date | None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class AparDesaCount(BaseModel):
    """A desa's APAR in service (not retired): how many, how many expired, how many found
    without pressure at their last check."""

    desa_code: str
    total: int
    expired: int
    pressure_not_ok: int


class AparList(BaseModel):
    """APAR in the caller's scope as of ``on`` (the deployment's date), and the count per desa
    of every APAR in service in that scope (whatever ``expired`` asked of the items)."""

    on: date
    items: list[AparOut]
    by_desa: list[AparDesaCount]
