"""Aggregate responses (what DPMD and the gateway read): no child appears."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Summary(BaseModel):
    """Children known to the field by education status as of the period's end."""

    wilayah: list[str] = Field(examples=[["64.02.06"]])
    posyandu_id: str | None = None
    period: str = Field(examples=["2026-11"])
    as_of: date = Field(description="the period's end, or today if it has not come")
    children: int = Field(examples=[120])
    by_status: dict[str, int] = Field(
        description="every status code, and 'unrecorded' for children with none by then",
        examples=[{"paud": 12, "sd": 40, "out_of_school": 3, "unrecorded": 5}],
    )


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
