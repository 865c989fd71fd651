"""Indicators: stunting prevalence and the SPM kesehatan counts (aggregates, no persons)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from simpul_platform.indicators import IndicatorValue


class StuntingOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "wilayah": "64.02",
                    "posyandu_id": None,
                    "period": "2025-Q3",
                    "measured": 1200,
                    "stunted": 150,
                    "severely_stunted": 40,
                    "wasted": 60,
                    "underweight": 120,
                    "overweight": 30,
                    "stunting_percent": 15.8,
                    "severely_stunted_percent": 3.3,
                    "wasted_percent": 5.0,
                    "underweight_percent": 10.0,
                }
            ]
        }
    )
    wilayah: str | None
    posyandu_id: str | None
    period: str
    measured: int
    stunted: int  # −3 ≤ HAZ < −2 (pendek)
    severely_stunted: int  # HAZ < −3 (sangat pendek)
    wasted: int  # WHZ < −2 (gizi kurang + gizi buruk)
    underweight: int  # WAZ < −2
    overweight: int = 0  # WHZ > +2 (gizi lebih + obesitas)
    stunting_percent: float | None  # (stunted + severely stunted) / measured
    severely_stunted_percent: float | None
    wasted_percent: float | None
    underweight_percent: float | None
    overweight_percent: float | None = None
    definition: IndicatorValue | None = None


class SpmOut(BaseModel):
    wilayah: str | None
    posyandu_id: str | None
    period: str
    indicators: list[IndicatorValue]


class DesaStunting(BaseModel):
    """One desa's stunting counts; ``stunted`` includes the severely stunted here."""

    desa_code: str = Field(examples=["64.02.06.2001"])
    measured: int = Field(examples=[84])
    stunted: int = Field(examples=[17], description="HAZ < −2 (pendek and sangat pendek)")
    severely_stunted: int = Field(examples=[4], description="HAZ < −3 (sangat pendek)")
    prevalence_percent: float | None = Field(examples=[20.24])


class HealthSummary(BaseModel):
    """A posyandu's or wilayah's health picture for a period (gateway profile)."""

    period: str
    stunting: StuntingOut
    indicators: list[IndicatorValue]
