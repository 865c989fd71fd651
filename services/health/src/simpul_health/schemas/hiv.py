"""Risiko HIV: a person at risk and the HIV test. The risk group and the result are read by
the Dinas Kesehatan only (``domain.hiv.SENSITIVE_READERS``); others get them as null."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from simpul_health.domain.hiv import HivResult, HivTest


class HivAtRiskIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "target_id": "9b7e0c1e-2222-4d1e-8f00-000000000002",
                    "risk_group": "pregnant",
                    "identified_on": "2025-03-01",
                }
            ]
        }
    )
    target_id: str = Field(min_length=1, max_length=36)
    risk_group: str = Field(
        min_length=1,
        max_length=20,
        description="pregnant, tb_patient, sti_patient, sex_worker, msm, transgender, "
        "injecting_drug_user, prisoner",
    )
    identified_on: date
    posyandu_id: str | None = Field(default=None, max_length=36)


class HivTestIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"tested_on": "2025-03-01", "test": "rapid", "result": "non_reactive"}]
        }
    )
    tested_on: date
    test: HivTest = Field(description="rapid (the national three-test algorithm) or elisa")
    result: HivResult | None = Field(default=None, description="null: awaiting the result")


class HivAtRiskOut(BaseModel):
    id: str
    target_id: str
    posyandu_id: str
    desa_code: str
    identified_on: date
    risk_group: str | None = Field(description="null unless the reader is the Dinas Kesehatan")
    tested: bool
    tested_on: date | None
    test: str | None = Field(description="null unless the reader is the Dinas Kesehatan")
    result: str | None = Field(description="null unless the reader is the Dinas Kesehatan")
    tested_to_standard: bool
    updated_by: str
    updated_at: datetime
