"""Priority cases (keluarga berisiko stunting), stunting leads and the reactions behind them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from simpul_social.schemas import Out

PriorityOutcome = Literal[
    "enrolled_in_bansos",
    "referred_to_program",
    "support_provided",
    "not_eligible",
    "household_moved",
    "declined",
]


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
