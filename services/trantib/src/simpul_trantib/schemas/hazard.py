"""Hazard zones (BPBD's kajian risiko: a desa, a hazard, its people, a year) and the risk
information (KIE) given there, with its reach per zone."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.clock import IsoDate
from simpul_platform.wilayah import DESA_PATTERN
from simpul_trantib.domain.disaster import DisasterKind
from simpul_trantib.schemas import Out

OutreachMethod = Literal["sosialisasi", "simulasi", "kunjungan", "media"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HazardZoneIn(_In):
    """A desa in a hazard zone for a year, and the people living there (one per desa, hazard
    and year)."""

    desa_code: str = Field(pattern=DESA_PATTERN, examples=["64.02.06.2012"])
    hazard: DisasterKind
    population: int = Field(ge=1, le=10_000_000)
    year: int = Field(ge=2000, le=2100)


class HazardZoneOut(Out):
    id: str
    desa_code: str
    hazard: DisasterKind
    population: int
    year: int


class RiskOutreachIn(_In):
    """Risk information given at a posyandu's desa about one of its zone's hazards."""

    posyandu_id: str = Field(min_length=1, max_length=36)
    hazard: DisasterKind
    held_on: IsoDate
    method: OutreachMethod
    people_reached: int = Field(ge=1, le=1_000_000)


class RiskOutreachOut(Out):
    id: str
    posyandu_id: str
    desa_code: str
    hazard: DisasterKind
    held_on: date
    method: OutreachMethod
    people_reached: int
    zone_id: str


class ZoneReach(BaseModel):
    zone_id: str
    desa_code: str
    hazard: DisasterKind
    population: int
    reached: int = Field(description="people reached in the year (sessions summed)")
    reach: float = Field(description="min(reached, population) ÷ population")


class RiskReachOut(BaseModel):
    year: int
    population: int = Field(description="people in the zones")
    reached: int = Field(description="people reached, at most each zone's population")
    reach: float | None = Field(description="reached ÷ population; none without zones")
    zones: list[ZoneReach]
