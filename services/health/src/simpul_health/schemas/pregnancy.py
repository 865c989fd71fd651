"""Ibu hamil: a pregnancy, its ANC visits and its delivery."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from simpul_health.domain.birth import Attendant, DeliveryPlace


class PregnancyIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target_id": "9b7e0c1e-2222-4d1e-8f00-000000000002",
                    "registered_on": "2025-03-01",
                    "last_menstrual_period": "2025-01-10",
                    "gravida": 2,
                    "lila_cm": 22.8,
                    "hb_g_dl": 10.4,
                }
            ]
        }
    )
    target_id: str = Field(min_length=1, max_length=36)
    registered_on: date
    last_menstrual_period: date
    gravida: int = Field(ge=1, le=20)
    lila_cm: float | None = Field(default=None, ge=10, le=50)
    hb_g_dl: float | None = Field(default=None, ge=3, le=20)
    posyandu_id: str | None = Field(default=None, max_length=36)


class AncVisitIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "visit_number": 2,
                    "visited_on": "2025-04-02",
                    "lila_cm": 23.0,
                    "hb_g_dl": 10.8,
                    "systolic": 120,
                    "diastolic": 80,
                    "iron_tablets": 30,
                }
            ]
        }
    )
    visit_number: int = Field(ge=1, le=6, description="K1…K6")
    visited_on: date
    lila_cm: float | None = Field(default=None, ge=10, le=50)
    hb_g_dl: float | None = Field(default=None, ge=3, le=20)
    systolic: int | None = Field(default=None, ge=50, le=300)
    diastolic: int | None = Field(default=None, ge=30, le=200)
    weight_kg: float | None = Field(default=None, ge=25, le=200)
    iron_tablets: int = Field(default=0, ge=0, le=120)


class DeliveryIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "delivered_on": "2025-10-12",
                    "outcome": "live_birth",
                    "birth_weight_kg": 3.1,
                    "delivery_place": "puskesmas",
                    "delivery_attendants": ["midwife"],
                }
            ]
        }
    )
    delivered_on: date
    outcome: Literal["live_birth", "stillbirth", "miscarriage", "abortion"]
    birth_weight_kg: float | None = Field(default=None, ge=0.3, le=7)
    # Required for a birth (live or still): checked with the outcome (domain.birth), so a
    # miscarriage is recorded without them.
    delivery_place: DeliveryPlace | None = None
    delivery_attendants: list[Attendant] = Field(
        default_factory=list, max_length=7, description="Professions present; 'none' alone."
    )


class AncVisitOut(BaseModel):
    visit_number: int
    visited_on: date
    lila_cm: float | None
    hb_g_dl: float | None
    systolic: int | None
    diastolic: int | None
    iron_tablets: int
    flags: list[str]


class PregnancyOut(BaseModel):
    id: str
    target_id: str
    posyandu_id: str
    registered_on: date
    last_menstrual_period: date
    estimated_delivery: date
    gravida: int
    status: str
    flags: list[str]
    anc_visits: int
    iron_tablets_total: int
    visits: list[AncVisitOut]
    delivered_on: date | None
    outcome: str | None
    birth_weight_kg: float | None
    delivery_place: str | None
    delivery_attendants: list[str]
    delivered_to_standard: bool
    updated_by: str
    updated_at: datetime
