"""Kader incentive rosters in and out."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from simpul_registry.domain.roster import Exclusion

MONTH = r"^2\d{3}-(0[1-9]|1[0-2])$"


class RosterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kabupaten: str = Field(pattern=r"^\d{2}\.\d{2}$", examples=["64.02"])
    month: str = Field(pattern=MONTH, examples=["2026-05"])


class RosterRowOut(BaseModel):
    """One kader: the NIK masked, present days, and the amount or the reason left out."""

    person_id: str
    person_ref: str
    nik_masked: str = Field(examples=["640206********03"])
    name: str
    field: str | None
    posyandu_id: str
    posyandu_name: str
    desa_code: str
    days_present: int
    included: bool
    amount: int
    reason: Exclusion | None


class RosterTotals(BaseModel):
    kader: int
    included: int
    excluded: dict[str, int] = Field(examples=[{"inactive": 3, "too_few_days": 5}])
    total_amount: int


class RosterSummary(BaseModel):
    id: str
    kabupaten_code: str
    month: str
    status: str = Field(examples=["draft", "approved"])
    min_days: int
    amount_per_month: int
    registered_only: bool
    computed_by: str
    computed_at: datetime
    approved_by: str | None
    approved_at: datetime | None


class RosterOut(RosterSummary):
    wilayah: list[str] = Field(
        description="The part shown: the kabupaten, or the reader's kecamatan or desa.",
        examples=[["64.02"], ["64.02.06"]],
    )
    totals: RosterTotals
    rows: list[RosterRowOut]
    page: int
    page_size: int
