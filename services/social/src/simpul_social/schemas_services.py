"""API bodies and responses: bansos programs and distributions, PPKS cases, priority cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from simpul_platform.indicators import PERIOD_PATTERN
from simpul_social.domain.periods import PeriodType
from simpul_social.domain.ppks import CloseOutcome, PpksCategory
from simpul_social.schemas import Out

PriorityOutcome = Literal[
    "enrolled_in_bansos",
    "referred_to_program",
    "support_provided",
    "not_eligible",
    "household_moved",
    "declined",
]


class ProgramIn(BaseModel):
    code: str = Field(pattern=r"^[A-Z0-9_\-]{2,40}$", examples=["PKH"])
    name: str = Field(min_length=1, max_length=120, examples=["Program Keluarga Harapan"])
    period_type: PeriodType = Field(examples=["quarter"])
    benefit: Literal["cash", "goods", "service"] = Field(examples=["cash"])
    funder: str | None = Field(default=None, max_length=80, examples=["Kemensos"])


class ProgramOut(Out):
    code: str
    name: str
    period_type: str
    benefit: str
    funder: str | None
    active: bool


class DistributionIn(BaseModel):
    """One benefit: cash (amount_idr), goods, or both; the period must match the program's."""

    household_id: str = Field(min_length=1, max_length=36)
    program_code: str = Field(min_length=1, max_length=40, examples=["PKH"])
    period: str = Field(pattern=PERIOD_PATTERN, examples=["2026-Q4"])
    amount_idr: int | None = Field(default=None, gt=0, le=100_000_000, examples=[750000])
    goods: str | None = Field(default=None, min_length=1, max_length=200, examples=["beras 10 kg"])
    distributed_on: date = Field(examples=["2026-11-05"])
    status: Literal["distributed", "pending"] = "distributed"


class DistributionOut(Out):
    id: str
    household_id: str
    program_code: str
    period: str
    posyandu_id: str
    desa_code: str
    amount_idr: int | None
    goods: str | None
    distributed_on: date
    status: str
    created_by: str
    created_at: datetime


class PpksCaseIn(BaseModel):
    """A PPKS person identified by a kader; NIK when they have one (homeless often do not)."""

    category: PpksCategory = Field(examples=["lansia_telantar"])
    posyandu_id: str = Field(min_length=1, max_length=36)
    name: str = Field(min_length=1, max_length=120, examples=["Mbah Karto"])
    nik: str | None = Field(default=None, pattern=r"^\d{16}$")
    household_id: str | None = Field(default=None, max_length=36)
    identified_on: date = Field(examples=["2026-11-02"])
    note: str | None = Field(default=None, max_length=500)


class AssessIn(BaseModel):
    assessed_on: date
    needs: str = Field(min_length=1, max_length=500, examples=["makan, perawatan diri"])


class ServeIn(BaseModel):
    served_on: date
    service: str = Field(min_length=1, max_length=500, examples=["permakanan, pendampingan"])


class CloseIn(BaseModel):
    closed_on: date
    outcome: CloseOutcome = Field(examples=["rehabilitated"])
    note: str | None = Field(default=None, max_length=500)


class PpksCaseOut(Out):
    id: str
    category: str
    status: str
    posyandu_id: str
    desa_code: str
    household_id: str | None
    person_ref: str | None
    name: str
    identified_on: date
    assessed_on: date | None
    served_on: date | None
    closed_on: date | None
    needs: str | None
    service: str | None
    outcome: str | None
    created_by: str
    updated_by: str
    updated_at: datetime


class PriorityCaseOut(Out):
    id: str
    stunting_episode_id: str
    household_id: str
    household_ref: str
    child_person_ref: str
    posyandu_id: str
    desa_code: str
    decile: int
    severity: str
    detected_on: date
    due_on: date
    overdue: bool = False
    status: str
    escalated_on: date | None
    recovered_on: date | None
    recovery_note: str | None
    outcome: str | None
    resolution_note: str | None
    resolved_on: date | None
    resolved_by: str | None


class ResolveIn(BaseModel):
    outcome: PriorityOutcome = Field(examples=["enrolled_in_bansos"])
    resolved_on: date | None = Field(default=None, description="today when omitted")
    note: str | None = Field(default=None, max_length=500)


class LeadOut(Out):
    id: str
    stunting_episode_id: str
    reason: str
    household_ref: str | None
    child_person_ref: str
    posyandu_id: str
    desa_code: str
    severity: str
    detected_on: date
    status: str
    household_id: str | None
    note: str | None
    resolved_by: str | None


class LeadResolveIn(BaseModel):
    outcome: Literal["found", "not_found"]
    household_id: str | None = Field(default=None, max_length=36)
    note: str | None = Field(default=None, max_length=500)


class ReactionOut(Out):
    stunting_episode_id: str
    decision: str
    reason: str
    posyandu_id: str
    desa_code: str
    decile: int | None
    severity: str
    detected_on: date
    detections: int
