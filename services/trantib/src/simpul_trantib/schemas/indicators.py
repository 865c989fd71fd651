"""Aggregate responses (what DPMD, the Tim Pembina and the gateway read): counts only, never a
household, a person, a reporter or a report's place."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from simpul_platform.referrals.schemas import ReferralCounts


class FireFigures(BaseModel):
    """Fires reported in the period (by the report's local date) against the 15 minutes."""

    fires: int = Field(examples=[12])
    response_met: int = Field(description="arrival ≤ 15 minutes after the report", examples=[9])
    inside_wmk: int = Field(description="inside a fire post's WMK", examples=[8])
    inside_wmk_met: int = Field(examples=[7])


class OrderFigures(BaseModel):
    """Public-order reports of the period: opened, closed, and the closed ones' affected
    citizens and those served (at most the affected, per report)."""

    opened: int = Field(examples=[6])
    closed: int = Field(examples=[5])
    affected_citizens: int = Field(examples=[40])
    citizens_served: int = Field(examples=[32])


class DisasterFigures(BaseModel):
    """Disasters that occurred in the period and overlap the scope, each counted whole."""

    disasters: int = Field(examples=[1])
    needing_evacuation: int = Field(examples=[120])
    evacuated: int = Field(examples=[110])


class RiskFigures(BaseModel):
    """Hazard zones of the period's year and the people their risk information reached in the
    period (per zone, at most its population)."""

    zones: int = Field(description="a desa and a hazard", examples=[3])
    population: int = Field(examples=[4200])
    people_reached: int = Field(examples=[1800])


class Summary(BaseModel):
    """Trantibumlinmas of one posyandu or a wilayah: the period's fires, public-order reports,
    disasters and risk information, and the state now (desa within a WMK, under Linmas
    strength, expired APAR, reports still open) with the referrals trantib holds."""

    wilayah: list[str] = Field(examples=[["64.02.06.2012"]])
    posyandu_id: str | None = None
    period: str = Field(examples=["2026-11"])
    as_of: date = Field(description="today: the day the state figures are of")
    desa: int = Field(description="desa of the posyandu in scope", examples=[18])
    desa_in_wmk: int = Field(description="desa whose point is inside a WMK", examples=[11])
    desa_under_linmas_strength: int = Field(
        description="desa below the minimum Satlinmas strength (or with none recorded)",
        examples=[4],
    )
    apar_expired: int = Field(description="APAR in service past their expiry date", examples=[3])
    order_reports_open: int = Field(description="public-order reports not closed", examples=[2])
    fires: FireFigures
    order_reports: OrderFigures
    disasters: DisasterFigures
    risk_information: RiskFigures
    referrals: ReferralCounts = Field(description="referrals trantib holds as target")


class DesaRow(BaseModel):
    """One desa's trantibumlinmas in the period (as /v1/indicators counts them) and its state
    now. A disaster spanning several desa is counted whole in each."""

    desa_code: str = Field(examples=["64.02.06.2012"])
    posyandu: int = Field(examples=[3])
    inside_wmk: bool = Field(description="the desa's point is inside a WMK")
    linmas_under_strength: bool = Field(
        description="below the minimum Satlinmas strength, or none recorded"
    )
    apar_expired: int = Field(examples=[1])
    order_reports_open: int = Field(examples=[0])
    fires: FireFigures
    order_reports: OrderFigures
    disasters: DisasterFigures
    risk_information: RiskFigures
