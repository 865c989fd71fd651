"""What the gateway answers: every view shows all six fields, each with its status."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from simpul_gateway.upstream import Status
from simpul_platform.indicators import IndicatorValue, SpmField


class UpstreamSection(BaseModel):
    """One service's part of a view; ``data`` is null unless ``status`` is ``ok``."""

    status: Status = Field(examples=["ok"])
    data: Any = None
    detail: str | None = Field(default=None, examples=["no education service is deployed yet"])


class FieldSection(UpstreamSection):
    """One SPM field's part of a view."""

    field: SpmField


class CrossFieldCase(BaseModel):
    field: SpmField
    case_id: str
    kind: str = Field(examples=["priority_case"])
    status: str
    due_on: date | None = None
    overdue: bool = False


class PosyanduProfile(BaseModel):
    posyandu: dict[str, Any] = Field(description="identity and registration, from the registry")
    staffing: UpstreamSection = Field(description="kader and ketua bidang per field (registry)")
    fields: list[FieldSection]
    open_cases: list[CrossFieldCase]
    period: str


class ScorecardRow(BaseModel):
    field: SpmField
    status: Status
    indicator: IndicatorValue | None = None
    detail: str | None = None


class WilayahLink(BaseModel):
    code: str
    name: str
    href: str


class Scorecard(BaseModel):
    wilayah: str
    name: str | None
    period: str
    rows: list[ScorecardRow]
    children: list[WilayahLink]


class LocusComponent(BaseModel):
    name: str = Field(examples=["stunting_prevalence"])
    field: SpmField
    percent: float | None
    weight: float
    numerator: int | None = None
    denominator: int | None = None


class Locus(BaseModel):
    rank: int
    code: str
    name: str | None
    score: float | None
    complete: bool = Field(description="false when a component's service did not answer")
    components: list[LocusComponent]


class PriorityLoci(BaseModel):
    wilayah: str
    period: str
    weights: dict[str, float]
    fields: list[FieldSection] = Field(description="status of every field's contribution")
    loci: list[Locus]
