"""Literacy sessions at the posyandu: counts by age group, no person."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from simpul_education.domain.literacy import Facilitator, LiteracyKind
from simpul_education.schemas import Out

MAX_COUNT = 10_000  # far above any posyandu's session; a typo's extra zeros are refused


class ParticipantsIn(BaseModel):
    """Participants by age group; at least one in all."""

    age_0_6: int = Field(default=0, ge=0, le=MAX_COUNT)
    age_7_12: int = Field(default=0, ge=0, le=MAX_COUNT)
    age_13_18: int = Field(default=0, ge=0, le=MAX_COUNT)
    adults: int = Field(default=0, ge=0, le=MAX_COUNT)


class LiteracySessionIn(BaseModel):
    """A taman bacaan or reading session held at a posyandu. ``facilitator`` is a role, never
    a name."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "posyandu_id": "3f1c2a9e-1111-4c7e-9a55-000000000001",
                    "held_on": "2026-03-02",
                    "kind": "reading_session",
                    "participants": {"age_0_6": 12, "age_7_12": 5, "age_13_18": 0, "adults": 9},
                    "facilitator": "relawan_tbm",
                }
            ]
        }
    )
    posyandu_id: str = Field(min_length=1, max_length=36)
    held_on: date
    kind: LiteracyKind
    participants: ParticipantsIn
    facilitator: Facilitator | None = None


class ParticipantsOut(BaseModel):
    age_0_6: int
    age_7_12: int
    age_13_18: int
    adults: int
    total: int


class LiteracySessionOut(Out):
    id: str
    posyandu_id: str
    desa_code: str
    held_on: date
    kind: str
    participants: ParticipantsOut
    facilitator: str | None
    created_by: str
    created_at: datetime
