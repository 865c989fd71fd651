"""Aggregate responses (what DPMD and the gateway read): no child appears."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

# --------------------------------------------------------------------------- ATS in the summary


class AtsOpenCase(BaseModel):
    """An open ATS case as the gateway's posyandu profile lists it: the case, not the child
    (no name, NIK or pseudonym)."""

    case_id: str
    status: str = Field(examples=["classified"])
    detected_on: date
    due_on: date | None = Field(
        description="the verification due date while detected or classified; null once verified",
        examples=["2026-03-16"],
    )
    overdue: bool = Field(description="not verified by its due date")


class AtsCasesSummary(BaseModel):
    """ATS cases open now (today, whatever the period), counted over the summary's scope."""

    open: int = Field(description="cases open now", examples=[3])
    by_status: dict[str, int] = Field(
        description="open cases by status: detected, classified, verified, referred",
        examples=[{"detected": 1, "classified": 1, "verified": 0, "referred": 1}],
    )
    overdue: int = Field(description="open and not verified by the due date", examples=[1])
    open_cases: list[AtsOpenCase] = Field(
        default_factory=list,
        description="one posyandu's summary only (empty for a wilayah): the longest waiting "
        "open cases (earliest detected first), at most 50 of the open ones",
    )


class Summary(BaseModel):
    """Children known to the field by education status as of the period's end, and the ATS
    cases open now."""

    wilayah: list[str] = Field(examples=[["64.02.06"]])
    posyandu_id: str | None = None
    period: str = Field(examples=["2026-11"])
    as_of: date = Field(description="the period's end, or today if it has not come")
    children: int = Field(examples=[120])
    by_status: dict[str, int] = Field(
        description="every status code, and 'unrecorded' for children with none by then",
        examples=[{"paud": 12, "sd": 40, "out_of_school": 3, "unrecorded": 5}],
    )
    ats_cases: AtsCasesSummary


class DesaRow(BaseModel):
    """One desa's children at the period's end by age group, and who of them is served."""

    desa_code: str = Field(examples=["64.02.06.2012"])
    children: int = Field(description="children aged 0–18 at the period's end", examples=[310])
    children_5_6: int = Field(examples=[34])
    paud_5_6: int = Field(description="of children_5_6, in PAUD then", examples=[21])
    paud_5_6_percent: float | None = Field(examples=[61.76])
    children_7_15: int = Field(examples=[160])
    dasar_7_15: int = Field(
        description="of children_7_15, in or past basic education (Paket A/B included)",
        examples=[152],
    )
    dasar_7_15_percent: float | None = Field(examples=[95.0])
    children_7_18: int = Field(examples=[205])
    out_of_school_7_18: int = Field(
        description="of children_7_18, whose status then is out_of_school", examples=[9]
    )
    out_of_school_percent: float | None = Field(examples=[4.39])
    ats_open: int = Field(description="ATS cases open in the desa now", examples=[3])
