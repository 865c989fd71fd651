"""Aggregate responses (what DPMD, the Tim Pembina and the gateway read): no household, No. KK
or household location."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from simpul_platform.referrals.schemas import ReferralCounts


class IssuesSummary(BaseModel):
    """Infrastructure issues open now (a duplicate counted in its first report)."""

    open: int = Field(examples=[7])
    overdue: int = Field(description="open and late at their step today", examples=[2])
    by_status: dict[str, int] = Field(examples=[{"reported": 3, "scheduled": 4}])
    by_kind: dict[str, int] = Field(examples=[{"jalan_desa": 4, "drainase": 3}])


class Summary(BaseModel):
    """Households known and surveyed and their water and sanitation by their latest survey,
    the infrastructure issues open now and the referrals public works holds (current figures:
    the period is echoed)."""

    wilayah: list[str] = Field(examples=[["64.02.06.2012"]])
    posyandu_id: str | None = None
    period: str = Field(examples=["2026-11"])
    as_of: date = Field(description="today: the figures are the current ones")
    households_known: int = Field(
        description="known here or to another field (by pseudonym, once)", examples=[240]
    )
    households_surveyed: int = Field(examples=[180])
    population_surveyed: int = Field(
        description="occupants by the households' latest surveys", examples=[720]
    )
    population_basic_water: int = Field(
        description="of those, with the SPM's basic daily drinking water", examples=[540]
    )
    population_wastewater_service: int = Field(
        description="of those, served by SPALD-S or SPALD-T", examples=[300]
    )
    households_without_basic_water: int = Field(examples=[45])
    households_babs: int = Field(description="open defecation (BABS)", examples=[12])
    households_without_layak_sanitation: int = Field(
        description="sanitation belum layak or BABS", examples=[40]
    )
    water_levels: dict[str, int] = Field(
        description="surveyed households by drinking-water level",
        examples=[{"aman": 20, "layak_dasar": 110, "tidak_layak": 50}],
    )
    sanitation_levels: dict[str, int] = Field(
        description="surveyed households by sanitation level",
        examples=[{"layak_sendiri": 140, "belum_layak": 28, "babs": 12}],
    )
    issues: IssuesSummary
    referrals: ReferralCounts = Field(description="referrals public works holds as target")


class DesaRow(BaseModel):
    """One desa's households and issues at the period's end (as /v1/indicators counts them:
    each household by its latest survey on or before that day)."""

    desa_code: str = Field(examples=["64.02.06.2012"])
    households_known: int = Field(examples=[240])
    households_surveyed: int = Field(examples=[180])
    survey_coverage_percent: float | None = Field(description="of known", examples=[75.0])
    population_surveyed: int = Field(examples=[720])
    population_basic_water: int = Field(examples=[540])
    basic_water_percent: float | None = Field(
        description="of the population surveyed (SPM air minum)", examples=[75.0]
    )
    population_wastewater_service: int = Field(examples=[300])
    wastewater_percent: float | None = Field(
        description="of the population surveyed (SPM air limbah domestik)", examples=[41.67]
    )
    households_without_basic_water: int = Field(examples=[45])
    households_babs: int = Field(examples=[12])
    households_without_layak_sanitation: int = Field(
        description="sanitation belum layak or BABS", examples=[40]
    )
    households_safe_water: int = Field(description="drinking water aman", examples=[20])
    issues_open: int = Field(examples=[7])
    issues_overdue: int = Field(examples=[2])
    issues_done: int = Field(description="done from 1 January to the period's end", examples=[3])
