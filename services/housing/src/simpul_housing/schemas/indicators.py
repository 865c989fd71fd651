"""Aggregate responses (what DPMD and the gateway read): no house, address or household."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from simpul_platform.referrals.schemas import ReferralCounts


class RtlhCasesSummary(BaseModel):
    """RTLH cases open now (not yet RLH nor rejected), counted over the summary's scope."""

    open: int = Field(examples=[4])
    by_status: dict[str, int] = Field(
        description="open cases by status", examples=[{"verified": 2, "assigned": 1}]
    )


class Summary(BaseModel):
    """Houses known to the field and their classification by their latest survey, the RTLH
    cases and disaster-damaged houses open now, and the referrals housing holds."""

    wilayah: list[str] = Field(examples=[["64.02.06.2012"]])
    posyandu_id: str | None = None
    period: str = Field(examples=["2026-11"])
    as_of: date = Field(description="today: the figures are the current ones")
    houses: int = Field(examples=[180])
    surveyed: int = Field(description="houses with an RTLH survey", examples=[150])
    rtlh_pupr: int = Field(description="RTLH under Permen PUPR 29/2018", examples=[31])
    rtlh_rutilahu: int = Field(description="RTLH under Permensos 20/2017", examples=[22])
    rtlh_cases: RtlhCasesSummary
    disaster_houses_open: int = Field(
        description="disaster-damaged houses not completed yet", examples=[2]
    )
    referrals: ReferralCounts = Field(description="referrals housing holds as target")


class DesaRow(BaseModel):
    """One desa's houses at the period's end (as /v1/indicators counts them)."""

    desa_code: str = Field(examples=["64.02.06.2012"])
    houses: int = Field(examples=[210])
    surveyed: int = Field(examples=[180])
    rtlh_pupr: int = Field(description="RTLH under Permen PUPR 29/2018", examples=[40])
    rtlh_pupr_percent: float | None = Field(description="of surveyed", examples=[22.22])
    rtlh_rutilahu: int = Field(description="RTLH under Permensos 20/2017", examples=[28])
    rtlh_rutilahu_percent: float | None = Field(description="of surveyed", examples=[15.56])
    rtlh_handled: int = Field(
        description="RTLH cases handled from 1 January to the period's end", examples=[6]
    )
    disaster_units_planned: int = Field(
        description="disaster-damaged units planned for the period's year", examples=[4]
    )
    disaster_units_completed: int = Field(
        description="of those, completed in the year by the period's end", examples=[3]
    )
    stunted_households: int = Field(examples=[5])
    stunted_in_rtlh: int = Field(
        description="of those, living in an RTLH house (Permen PUPR 29/2018)", examples=[2]
    )
