"""Events social publishes on ``simpul.social.v1`` (key = posyandu id, wilayah = desa code),
and its views of the events it consumes from health (consumers.py subscribes them).

No KK, NIK or names travel: households as ``household_ref``, people as ``person_ref``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.events import EventPayload, TolerantPayload
from simpul_platform.referrals.events import field_topic, published_by

TOPIC = "simpul.social.v1"
HEALTH_TOPIC = "simpul.health.v1"


# One household's decile, for the catalogue (education's decile replica reads it).
_ASSESSED: dict[str, Any] = {
    "household_ref": "c0acc8f61e6ff0638178428fefd041fddd64376b59c60b4dc082bef1e5173b57",
    "posyandu_id": "0b6f3a52-8d1e-4c3a-9f0e-2d7c5b9a1e44",
    "desa_code": "64.02.06.2012",
    "decile": 2,
    "source": "DTSEN",
    "assessed_on": "2026-03-02",
}


class HouseholdAssessed(EventPayload):
    """A household was given a DTSEN welfare decile."""

    event_type = "social.household.assessed.v1"
    topic = TOPIC
    example = _ASSESSED
    household_ref: str
    posyandu_id: str
    desa_code: str
    decile: int
    source: str
    assessed_on: date


class AidDistributed(EventPayload):
    """A bansos benefit reached a household for a program and period."""

    event_type = "social.aid.distributed.v1"
    topic = TOPIC
    distribution_id: str
    household_ref: str
    posyandu_id: str
    desa_code: str
    program_code: str
    period: str
    amount_idr: int | None
    goods: str | None
    distributed_on: date


class PpksCaseEvent(EventPayload):
    topic = TOPIC
    case_id: str
    person_ref: str | None
    posyandu_id: str
    desa_code: str
    category: str


class CaseOpened(PpksCaseEvent):
    """A PPKS case was identified."""

    event_type = "social.case.opened.v1"
    opened_on: date


class CaseClosed(PpksCaseEvent):
    """A PPKS case was closed, with its outcome."""

    event_type = "social.case.closed.v1"
    closed_on: date
    outcome: str
    served: bool


class PriorityCaseOpened(EventPayload):
    """A keluarga berisiko stunting case was opened for Dinas Sosial."""

    event_type = "social.priority_case.opened.v1"
    topic = TOPIC
    case_id: str
    stunting_episode_id: str
    household_ref: str
    child_person_ref: str
    posyandu_id: str
    desa_code: str
    decile: int
    due_on: date
    severity: str


class PriorityCaseResolved(EventPayload):
    """Dinas Sosial resolved a priority case."""

    event_type = "social.priority_case.resolved.v1"
    topic = TOPIC
    case_id: str
    stunting_episode_id: str
    household_ref: str
    posyandu_id: str
    desa_code: str
    outcome: str
    resolved_on: date
    on_time: bool


class UsulanEvent(EventPayload):
    topic = TOPIC
    usulan_id: str
    household_ref: str
    posyandu_id: str
    desa_code: str


class HouseholdProposed(UsulanEvent):
    """A kader proposed a household as poor (usulan)."""

    event_type = "social.household.proposed.v1"


class HouseholdVerified(UsulanEvent):
    """The musyawarah desa verified an usulan."""

    event_type = "social.household.verified.v1"
    musdes_date: date


class HouseholdValidated(UsulanEvent):
    """Dinas Sosial validated an usulan."""

    event_type = "social.household.validated.v1"


class HouseholdRejected(UsulanEvent):
    """An usulan was rejected (by the village or by Dinas Sosial), with a reason."""

    event_type = "social.household.rejected.v1"
    stage: str
    reason: str


PUBLISHED: list[type[EventPayload]] = [
    HouseholdAssessed,
    AidDistributed,
    CaseOpened,
    CaseClosed,
    PriorityCaseOpened,
    PriorityCaseResolved,
    HouseholdProposed,
    HouseholdVerified,
    HouseholdValidated,
    HouseholdRejected,
    *published_by("social").all(),
]


class StuntingDetected(TolerantPayload):
    """Social's view of ``health.stunting.detected.v1``."""

    event_type = "health.stunting.detected.v1"
    topic = HEALTH_TOPIC
    episode_id: str = Field(min_length=1, max_length=64)
    person_ref: str = Field(min_length=1, max_length=64)
    household_ref: str | None = Field(default=None, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")
    measurement_id: str = Field(max_length=64)
    measured_on: date
    haz: float | None = None
    severity: str = Field(max_length=20)
    escalated: bool = False


class StuntingRecovered(TolerantPayload):
    """Social's view of ``health.stunting.recovered.v1``."""

    event_type = "health.stunting.recovered.v1"
    topic = HEALTH_TOPIC
    episode_id: str = Field(min_length=1, max_length=64)
    measurement_id: str = Field(max_length=64)
    measured_on: date
    haz: float | None = None


# --- trantib's disasters and fires (the disaster-protection consumer) ------------------------

TRANTIB_TOPIC = field_topic("trantib")
DESA = r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$"


class StruckHousehold(BaseModel):
    """Social's view of one household trantib names as struck (its damage class: rr / rs / rb
    / hilang, or none for a household whose house stood)."""

    model_config = ConfigDict(extra="ignore")

    household_ref: str = Field(min_length=1, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=DESA)
    damage: str = Field(min_length=1, max_length=20)
    displaced: bool = False
    members: int | None = Field(default=None, ge=0, le=1000)


class DisasterAssessed(TolerantPayload):
    """Social's view of ``trantib.disaster.assessed.v1``: a part of a disaster's rapid
    assessment, with the households it recorded."""

    event_type = "trantib.disaster.assessed.v1"
    topic = TRANTIB_TOPIC
    disaster_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(min_length=1, max_length=40)
    name: str | None = Field(default=None, max_length=160)
    occurred_on: date
    assessed_on: date | None = None
    households: list[StruckHousehold] = Field(default_factory=list)


class FireAttended(TolerantPayload):
    """Social's view of ``trantib.fire.attended.v1``: a fire's record closed, with the
    households whose houses it damaged."""

    event_type = "trantib.fire.attended.v1"
    topic = TRANTIB_TOPIC
    incident_id: str = Field(min_length=1, max_length=64)
    posyandu_id: str = Field(min_length=1, max_length=36)
    desa_code: str = Field(pattern=DESA)
    occurred_on: date
    damaged_households: list[StruckHousehold] = Field(default_factory=list)
