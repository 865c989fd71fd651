"""Aggregate responses (what DPMD and the gateway read): the summary and poverty by desa; no
household or person appears."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class OpenCaseBrief(BaseModel):
    """An open priority case as the gateway's posyandu profile shows it."""

    case_id: str
    posyandu_id: str
    desa_code: str = Field(examples=["64.02.06.2012"])
    severity: str = Field(examples=["stunted"])
    detected_on: date
    due_on: date = Field(examples=["2026-11-30"])
    overdue: bool


class PriorityCaseSummary(BaseModel):
    opened: int = Field(description="opened in the period", examples=[4])
    resolved: int = Field(description="resolved in the period", examples=[3])
    resolved_on_time: int = Field(description="resolved in the period by the due date")
    open: int = Field(description="open now", examples=[2])
    overdue: int = Field(description="open now and past the due date", examples=[1])
    open_cases: list[OpenCaseBrief] = Field(default_factory=list)


class Summary(BaseModel):
    """Households by decile, deciles 1–4, priority cases and the stunting decisions."""

    wilayah: list[str] = Field(examples=[["64.02.06"]])
    posyandu_id: str | None = None
    period: str = Field(examples=["2026-11"])
    as_of: date
    households: int = Field(examples=[120])
    households_assessed: int = Field(examples=[110])
    households_by_decile: dict[str, int] = Field(
        description="keys '1'..'10' and 'unassessed'", examples=[{"1": 12, "2": 20}]
    )
    deciles_1_4: int = Field(examples=[58])
    deciles_1_4_percent: float | None = Field(
        description="deciles 1–4 ÷ assessed households", examples=[52.73]
    )
    priority_cases: PriorityCaseSummary
    stunting_decisions: dict[str, int] = Field(
        description="detections in the period by decision: case_opened, not_priority_decile, "
        "receiving_bansos, unmatched",
        examples=[{"case_opened": 3, "receiving_bansos": 2}],
    )
    open_leads: int = Field(description="unmatched stunting leads still open", examples=[1])


class DesaPoverty(BaseModel):
    """One desa's share of households in DTSEN deciles 1–4 (for ranking priority loci)."""

    desa_code: str = Field(examples=["64.02.06.2012"])
    households: int = Field(examples=[140])
    households_assessed: int = Field(examples=[131])
    deciles_1_4: int = Field(examples=[62])
    share_deciles_1_4: float | None = Field(
        description="deciles 1–4 ÷ assessed households, percent", examples=[47.33]
    )
