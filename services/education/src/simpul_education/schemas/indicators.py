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
