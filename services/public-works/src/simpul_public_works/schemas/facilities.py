"""Public facilities at a desa: recorded with their place, status out with its history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.clock import IsoDate
from simpul_public_works.domain.facilities import FacilityKind, FacilityStatus
from simpul_public_works.schemas import Out

EXAMPLE: dict[str, Any] = {
    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
    "kind": "kran_umum",
    "name": "Kran umum RT 04",
    "latitude": -0.4211,
    "longitude": 116.9865,
    "households_served": 24,
    "built_year": 2019,
}


class FacilityIn(BaseModel):
    """A facility at a posyandu's desa; its status is changed by the issues about it."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]}, extra="forbid")

    posyandu_id: str = Field(min_length=1, max_length=36)
    kind: FacilityKind
    name: str = Field(min_length=1, max_length=120)
    # Either axis may hold either value: a swapped pair is named by the check, not the schema.
    latitude: float = Field(ge=-180, le=180)
    longitude: float = Field(ge=-180, le=180)
    households_served: int = Field(ge=0, le=100_000)
    built_year: int | None = Field(default=None, ge=1800, le=2100)
    status: FacilityStatus = "berfungsi"
    recorded_on: IsoDate | None = Field(default=None, description="today when omitted")


class FacilityStepOut(Out):
    action: str
    from_status: str | None
    to_status: str
    issue_id: str | None
    step_on: date
    note: str | None
    actor: str
    at: datetime


class FacilityOut(Out):
    id: str
    posyandu_id: str
    desa_code: str
    kind: str
    name: str
    latitude: float
    longitude: float
    households_served: int
    built_year: int | None
    status: FacilityStatus
    status_changed_on: date
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class FacilityDetail(FacilityOut):
    history: list[FacilityStepOut]
