"""Disaster protection cases: the steps' bodies, a case with its history, and the gateway's
brief of the cases of some disasters and fires."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from simpul_social.domain.disaster import DeclineReason, EmergencyService, RecoveryService
from simpul_social.schemas import Out


class ServeEmergencyIn(BaseModel):
    """Services given during the emergency (tanggap darurat)."""

    services: list[EmergencyService] = Field(
        min_length=1, max_length=5, examples=[["permakanan", "penampungan"]]
    )
    served_on: date | None = Field(default=None, description="today when omitted")
    note: str | None = Field(default=None, max_length=500)


class ServeRecoveryIn(BaseModel):
    """Services given after the emergency."""

    services: list[RecoveryService] = Field(
        min_length=1, max_length=5, examples=[["jaminan_hidup"]]
    )
    served_on: date | None = Field(default=None, description="today when omitted")
    note: str | None = Field(default=None, max_length=500)


class CloseIn(BaseModel):
    closed_on: date | None = Field(default=None, description="today when omitted")
    note: str | None = Field(default=None, max_length=500)


class DeclineIn(BaseModel):
    """The household refused, could not be found, or moved away."""

    reason: DeclineReason = Field(examples=["moved"])
    declined_on: date | None = Field(default=None, description="today when omitted")
    note: str | None = Field(default=None, max_length=500)


class ServiceGiven(BaseModel):
    service: str = Field(examples=["permakanan"])
    stage: str = Field(examples=["emergency"])
    on: date


class DisasterCaseOut(Out):
    id: str
    source: str = Field(examples=["trantib_disaster"])
    source_event_id: str
    household_ref: str
    household_id: str | None
    kind: str = Field(examples=["banjir"])
    name: str | None
    occurred_on: date
    posyandu_id: str
    desa_code: str = Field(examples=["64.02.06.2012"])
    damage: str = Field(examples=["rb"])
    displaced: bool
    members: int | None
    status: str = Field(examples=["emergency_served"])
    protected: bool
    services: list[ServiceGiven]
    opened_on: date
    emergency_served_on: date | None
    recovery_served_on: date | None
    closed_on: date | None
    decline_reason: str | None
    allowed_actions: list[str]
    created_by: str
    updated_by: str
    updated_at: datetime


class StepOut(Out):
    action: str
    from_status: str | None
    to_status: str
    step_on: date
    codes: dict[str, Any]
    note: str | None
    actor: str
    at: datetime


class DisasterCaseDetail(DisasterCaseOut):
    history: list[StepOut]


class SourceCaseBrief(BaseModel):
    """One household's case of a disaster or fire, as the gateway's emergencies view reads it."""

    source_event_id: str
    household_ref: str
    desa_code: str = Field(examples=["64.02.06.2012"])
    status: str = Field(examples=["opened"])
    protected: bool
