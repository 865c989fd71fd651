"""Bayi baru lahir: a newborn and its neonatal visits (KN1–KN3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Finding = Annotated[str, Field(pattern=r"^[a-z_]{1,30}$")]  # a code, never free text


class NewbornIn(BaseModel):
    """A newborn from a delivered pregnancy (``pregnancy_id``: its posyandu and mother), or
    from none (``posyandu_id``, and the mother's target if she is one)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "pregnancy_id": "3f1d0b7e-5a4c-4b9e-8f21-0c6d2e9a7b15",
                    "birth_order": 1,
                    "born_at": "2025-10-12T03:40:00+08:00",
                    "sex": "F",
                    "birth_weight_kg": 3.05,
                }
            ],
            # One of the two names where the newborn is (posyandu_required otherwise).
            "anyOf": [{"required": ["pregnancy_id"]}, {"required": ["posyandu_id"]}],
        }
    )
    pregnancy_id: str | None = Field(default=None, min_length=1, max_length=36)
    birth_order: int = Field(default=1, ge=1, le=5, description="Twins: 1 and 2.")
    posyandu_id: str | None = Field(default=None, min_length=1, max_length=36)
    mother_target_id: str | None = Field(default=None, min_length=1, max_length=36)
    born_at: AwareDatetime
    sex: Literal["M", "F"]
    birth_weight_kg: float | None = Field(default=None, ge=0.3, le=7)


class NeonatalVisitIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "visited_at": "2025-10-13T09:00:00+08:00",
                    "weight_kg": 3.0,
                    "findings": ["jaundice"],
                }
            ]
        }
    )
    visited_at: AwareDatetime
    weight_kg: float | None = Field(default=None, ge=0.3, le=8)
    findings: list[Finding] = Field(
        default_factory=list,
        max_length=6,
        description="Finding codes (danger_signs, jaundice, cord_infection, ...).",
    )

    @property
    def findings_text(self) -> str:
        return ",".join(self.findings)


class NeonatalVisitOut(BaseModel):
    id: str
    visited_at: datetime
    age_hours: int
    kn: int | None
    weight_kg: float | None
    findings: list[str]


class NewbornOut(BaseModel):
    id: str
    pregnancy_id: str | None
    birth_order: int
    mother_target_id: str | None
    posyandu_id: str
    desa_code: str
    born_at: datetime
    born_on: date
    sex: str
    birth_weight_kg: float | None
    low_birth_weight: bool | None
    kn1_at: datetime | None
    kn2_at: datetime | None
    kn3_at: datetime | None
    kn_complete: bool
    visits: list[NeonatalVisitOut]
    updated_by: str
    updated_at: datetime
