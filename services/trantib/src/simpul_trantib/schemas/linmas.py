"""Satlinmas members and siskamling patrols: the bodies in, the rows out. A member's NIK is
shown masked; what is counted (a desa's strength) names nobody."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.clock import IsoDate
from simpul_platform.identity import NIK_PATTERN
from simpul_trantib.domain.linmas import EndReason, Shift, Squad
from simpul_trantib.schemas import Out
from simpul_trantib.settings import Education

MEMBER_EXAMPLE: dict[str, Any] = {
    "nik": "6402061505900003",
    "name": "Ahmad Fauzi",
    "birth_date": "1990-05-15",
    "married": True,
    "education": "sma",
    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
    "squad": "keamanan",
    "sk_number": "300/045/SATPOLPP/2026",
    "sk_date": "2026-01-10",
    "appointed_on": "2026-01-15",
}


class MemberIn(BaseModel):
    """A Satlinmas member appointed by an SK at a posyandu's desa."""

    model_config = ConfigDict(json_schema_extra={"examples": [MEMBER_EXAMPLE]}, extra="forbid")

    nik: str = Field(pattern=NIK_PATTERN)
    name: str = Field(min_length=1, max_length=120)
    birth_date: IsoDate
    married: bool
    education: Education
    posyandu_id: str = Field(min_length=1, max_length=36, description="the member's desa's")
    squad: Squad
    sk_number: str = Field(min_length=1, max_length=80)
    sk_date: IsoDate
    appointed_on: IsoDate


class ExtendIn(BaseModel):
    """Service extended past the service age, to the extended age's birthday at the latest."""

    model_config = ConfigDict(extra="forbid")

    until: IsoDate = Field(description="the last day of service")
    extended_on: IsoDate | None = Field(default=None, description="today when omitted")


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: EndReason
    ended_on: IsoDate | None = Field(
        default=None, description="the first day not serving; today when omitted"
    )


class SquadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    squad: Squad


class MemberOut(BaseModel):
    """A member as Reader roles see them: the NIK masked, the age instead of the birth date
    (which the NIK would otherwise complete); ``serving`` as of today and the first day the
    member no longer serves by age (``service_ends_on``)."""

    id: str
    nik_masked: str = Field(examples=["640206********03"])
    name: str
    age: int
    married: bool
    education: str
    posyandu_id: str
    desa_code: str
    squad: str
    sk_number: str
    sk_date: date
    appointed_on: date
    extended_until: date | None
    ended_on: date | None
    end_reason: str | None
    serving: bool
    service_ends_on: date
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class StrengthOut(BaseModel):
    """A desa's Satlinmas counted as of ``counted_on``: members serving, per squad, and the
    flags (under the minimum strength; squads with nobody)."""

    desa_code: str
    members: int
    by_squad: dict[str, int]
    under_strength: bool
    empty_squads: list[str]
    counted_on: date


PATROL_EXAMPLE: dict[str, Any] = {
    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
    "poskamling": "Poskamling RT 05",
    "patrol_date": "2026-03-01",
    "shift": "malam",
    "member_ids": ["7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"],
    "members_present": 4,
    "findings": "Lampu jalan RT 05 padam.",
    "incident": False,
}


class PatrolIn(BaseModel):
    """A siskamling patrol: the Linmas on it (serving members of the posyandu's desa), or
    only the number present when residents patrolled; at most one per poskamling, date and
    shift."""

    model_config = ConfigDict(json_schema_extra={"examples": [PATROL_EXAMPLE]}, extra="forbid")

    posyandu_id: str = Field(min_length=1, max_length=36)
    poskamling: str = Field(min_length=1, max_length=80)
    patrol_date: IsoDate
    shift: Shift
    member_ids: list[Annotated[str, Field(min_length=1, max_length=36)]] = Field(
        default_factory=list, max_length=100
    )
    members_present: int | None = Field(
        default=None, ge=1, le=500, description="everyone present; the named members if omitted"
    )
    findings: str | None = Field(default=None, max_length=1000)
    incident: bool = Field(default=False, description="a finding that needs Satpol PP")


class PatrolOut(Out):
    id: str
    posyandu_id: str
    desa_code: str
    poskamling: str
    patrol_date: date
    shift: str
    member_ids: list[str]
    members_present: int
    findings: str | None
    incident: bool
    created_by: str
    created_at: datetime
