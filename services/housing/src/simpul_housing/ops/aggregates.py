"""Aggregates for DPMD and the gateway: the SPM perumahan indicators and the rows by desa
(summed from the counts kept per posyandu and month, ``ops.tallies``), and the current
figures of the summary (counted on read: one posyandu's or a small wilayah's rows)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain import indicators as d
from simpul_housing.models import DisasterHouse, House, RtlhCase
from simpul_housing.ops import tallies
from simpul_housing.schemas.indicators import DesaRow, RtlhCasesSummary
from simpul_platform.indicators import Indicator, IndicatorValue, percent
from simpul_platform.tallies import Scope, Tallies, added, in_scope

__all__ = ["Scope", "by_desa", "disaster_open", "house_figures", "indicators", "rtlh_cases"]

SPM = "Permen PUPR 29/2018, Lampiran II (SPM perumahan rakyat, kab/kota)"


INDICATORS = (
    Indicator(
        d.DISASTER_VICTIMS,
        "Penyediaan dan rehabilitasi rumah yang layak huni bagi korban bencana",
        "Disaster-damaged housing units planned for the period's year (the SK Bupati's year t) "
        "completed from 1 January to the period's end ÷ units planned for year t",
        f"{SPM}, jenis layanan 1",
    ),
    Indicator(
        d.RELOCATION,
        "Fasilitasi penyediaan rumah yang layak huni bagi masyarakat yang terkena relokasi "
        "program Pemerintah Daerah",
        "Households of the period's year's relocation programmes meeting the criteria and "
        "facilitated by the period's end ÷ those meeting the criteria",
        f"{SPM}, jenis layanan 2",
    ),
    Indicator(
        d.RLH_PUPR,
        "Rumah layak huni (Permen PUPR 29/2018)",
        "Houses livable by their latest survey on or before the period's end (structural "
        "safety, health, at least 9 m² per person) ÷ houses surveyed by then",
        "Permen PUPR 29/2018; RTLH survey variables of this service",
    ),
    Indicator(
        d.RLH_RUTILAHU,
        "Rumah layak huni (Permensos 20/2017, Rutilahu)",
        "Houses livable under the Rutilahu criteria (at least 7.2 m² per person) by their "
        "latest survey on or before the period's end ÷ houses surveyed by then",
        "Permensos 20/2017; RTLH survey variables of this service",
    ),
    Indicator(
        d.STUNTED_IN_RTLH,
        "Rumah tangga anak stunting yang tinggal di RTLH",
        "Households with a child found stunted by the period's end whose current house is "
        "RTLH under Permen PUPR 29/2018 by its latest survey then ÷ those households; the "
        "target is none",
        "health's stunting detections; RTLH surveys of this service",
        target_percent=0.0,
    ),
)


async def indicators(session: AsyncSession, scope: Scope, month: date) -> list[IndicatorValue]:
    """The indicators at ``month``'s end (the year to date)."""
    counts = added((await tallies.read(session, scope, month)).values())
    return [i.value("housing", counts) for i in INDICATORS]


async def by_desa(session: AsyncSession, scope: Scope, month: date) -> list[DesaRow]:
    """One row per desa with a posyandu in scope, at ``month``'s end."""
    per_desa = await tallies.read(session, scope, month, by_desa=True)
    return [_desa_row(desa, counts) for desa, counts in sorted(per_desa.items())]


def _desa_row(desa: str, counts: Tallies) -> DesaRow:
    rlh_pupr, surveyed = counts.get(d.RLH_PUPR, (0, 0))
    rlh_rutilahu, _ = counts.get(d.RLH_RUTILAHU, (0, 0))
    completed, planned = counts.get(d.DISASTER_VICTIMS, (0, 0))
    in_rtlh, stunted = counts.get(d.STUNTED_IN_RTLH, (0, 0))
    return DesaRow(
        desa_code=desa,
        houses=counts.get(d.HOUSES, (0, 0))[1],
        surveyed=surveyed,
        rtlh_pupr=surveyed - rlh_pupr,
        rtlh_pupr_percent=percent(surveyed - rlh_pupr, surveyed),
        rtlh_rutilahu=surveyed - rlh_rutilahu,
        rtlh_rutilahu_percent=percent(surveyed - rlh_rutilahu, surveyed),
        rtlh_handled=counts.get(d.RTLH_HANDLED, (0, 0))[0],
        disaster_units_planned=planned,
        disaster_units_completed=completed,
        stunted_households=stunted,
        stunted_in_rtlh=in_rtlh,
    )


# --------------------------------------------------------------------------- the summary


async def house_figures(session: AsyncSession, scope: Scope) -> dict[str, int]:
    """Houses, surveyed, RTLH under each rule set, by the houses' latest surveys."""
    query = select(
        func.count(),
        func.count(col(House.assessed_on)),
        func.sum(case((col(House.rtlh_pupr).is_(True), 1), else_=0)),
        func.sum(case((col(House.rtlh_rutilahu).is_(True), 1), else_=0)),
    ).where(*in_scope(House, scope))
    houses, surveyed, pupr, rutilahu = (await session.execute(query)).one()
    return {
        "houses": int(houses),
        "surveyed": int(surveyed),
        "rtlh_pupr": int(pupr or 0),
        "rtlh_rutilahu": int(rutilahu or 0),
    }


async def rtlh_cases(session: AsyncSession, scope: Scope) -> RtlhCasesSummary:
    query = (
        select(col(RtlhCase.status), func.count())
        .where(*in_scope(RtlhCase, scope), col(RtlhCase.status).not_in(["rlh", "rejected"]))
        .group_by(col(RtlhCase.status))
    )
    by_status = {status: int(n) for status, n in await session.execute(query)}
    return RtlhCasesSummary(open=sum(by_status.values()), by_status=dict(sorted(by_status.items())))


async def disaster_open(session: AsyncSession, scope: Scope) -> int:
    query = select(func.count()).where(
        *in_scope(DisasterHouse, scope), col(DisasterHouse.completed_on).is_(None)
    )
    return int((await session.execute(query)).scalar_one())
