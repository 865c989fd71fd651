"""Aggregates for DPMD, the Tim Pembina and the gateway: the SPM pekerjaan umum indicators and
the rows by desa (summed from the counts kept per posyandu and month, ``ops.tallies``), and the
current figures of the summary (counted on read: one posyandu's or a wilayah's rows)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select, union
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.indicators import Indicator, IndicatorValue, percent
from simpul_platform.tallies import Scope, Tallies, added, in_scope
from simpul_public_works.domain import indicators as d
from simpul_public_works.domain.issues import OverdueThresholds
from simpul_public_works.models import Household, InfrastructureIssue, KnownHousehold
from simpul_public_works.ops import tallies
from simpul_public_works.schemas.indicators import DesaRow, IssuesSummary

__all__ = ["Scope", "by_desa", "household_figures", "indicators", "issue_figures"]

SPM = "Permen PUPR 29/2018, Lampiran I (SPM pekerjaan umum, kab/kota)"
LADDER = "access ladder (Bappenas/SUSENAS, JMP) derived from this service's surveys"


INDICATORS = (
    Indicator(
        d.BASIC_WATER,
        "Penduduk yang mendapatkan akses terhadap air minum yang memenuhi kebutuhan pokok "
        "minimal sehari-hari",
        "Occupants of households whose latest survey on or before the period's end has the "
        "basic daily drinking water (a protected source more than 10 m from a waste point, at "
        "least 60 litres a person a day) ÷ occupants of the households surveyed by then",
        f"{SPM}, jenis layanan 1 (air minum)",
    ),
    Indicator(
        d.WASTEWATER,
        "Penduduk yang mendapatkan layanan pengolahan air limbah domestik",
        "Occupants of households whose latest survey on or before the period's end is served "
        "by SPALD-S (septic tank with sludge emptied) or SPALD-T (sewered to a treatment "
        "plant) ÷ occupants of the households surveyed by then",
        f"{SPM}, jenis layanan 2 (air limbah domestik)",
    ),
    Indicator(
        d.COVERAGE,
        "Cakupan survei air minum dan sanitasi rumah tangga",
        "Households with a survey on or before the period's end ÷ households known by then "
        "(to this service or to another field, each once)",
        "this service's surveys; households known from the fields' events",
    ),
    Indicator(
        d.BABS,
        "Rumah tangga buang air besar sembarangan (BABS)",
        "Households whose sanitation is BABS by their latest survey on or before the period's "
        "end ÷ households surveyed by then; the target is none",
        f"STBM pilar 1 (Permenkes 3/2014); {LADDER}",
        target_percent=0.0,
    ),
    Indicator(
        d.SAFE_WATER,
        "Rumah tangga dengan air minum aman",
        "Households whose drinking water is aman (improved, on premises, 24 hours, free of E. "
        "coli) by their latest survey on or before the period's end ÷ households surveyed",
        LADDER,
    ),
    Indicator(
        d.SANITATION_LAYAK,
        "Rumah tangga dengan sanitasi layak",
        "Households whose sanitation is aman or layak (own or shared) by their latest survey "
        "on or before the period's end ÷ households surveyed",
        LADDER,
    ),
    Indicator(
        d.ISSUES_OVERDUE,
        "Aduan infrastruktur desa terlambat",
        "Infrastructure issues open at the period's end and late at their step (not triaged "
        "within 14 days, not scheduled within 60 days of triage or forwarding, not done by "
        "the end of the budget year) ÷ issues open then; the target is none",
        "this service's infrastructure issues (duplicates counted once)",
        target_percent=0.0,
    ),
    Indicator(
        d.ISSUES_DONE,
        "Aduan infrastruktur desa selesai",
        "Infrastructure issues done from 1 January to the period's end ÷ those and the issues "
        "still open at the period's end",
        "this service's infrastructure issues (duplicates counted once)",
    ),
)


async def indicators(
    session: AsyncSession, scope: Scope, month: date, rules: OverdueThresholds
) -> list[IndicatorValue]:
    """The indicators at ``month``'s end (the year to date)."""
    counts = added((await tallies.read(session, scope, month, rules)).values())
    return [i.value("public_works", counts) for i in INDICATORS]


async def by_desa(
    session: AsyncSession, scope: Scope, month: date, rules: OverdueThresholds
) -> list[DesaRow]:
    """One row per desa with a posyandu in scope, at ``month``'s end."""
    per_desa = await tallies.read(session, scope, month, rules, by_desa=True)
    return [_desa_row(desa, counts) for desa, counts in sorted(per_desa.items())]


def _desa_row(desa: str, counts: Tallies) -> DesaRow:
    def get(code: str) -> tuple[int, int]:
        return counts.get(code, (0, 0))

    surveyed, known = get(d.COVERAGE)
    basic_people, people = get(d.BASIC_WATER)
    wastewater_people, _ = get(d.WASTEWATER)
    layak, _ = get(d.SANITATION_LAYAK)
    return DesaRow(
        desa_code=desa,
        households_known=known,
        households_surveyed=surveyed,
        survey_coverage_percent=percent(surveyed, known),
        population_surveyed=people,
        population_basic_water=basic_people,
        basic_water_percent=percent(basic_people, people),
        population_wastewater_service=wastewater_people,
        wastewater_percent=percent(wastewater_people, people),
        households_without_basic_water=surveyed - get(d.BASIC_WATER_HOUSEHOLDS)[0],
        households_babs=get(d.BABS)[0],
        households_without_layak_sanitation=surveyed - layak,
        households_safe_water=get(d.SAFE_WATER)[0],
        issues_open=get(d.ISSUES_OPEN)[0],
        issues_overdue=get(d.ISSUES_OVERDUE)[0],
        issues_done=get(d.ISSUES_DONE)[0],
    )


# --------------------------------------------------------------------------- the summary


def _sum_if(condition: ColumnElement[bool], value: Any = 1) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


async def household_figures(session: AsyncSession, scope: Scope) -> dict[str, object]:
    """Households known and surveyed, by their latest surveys."""
    h = Household
    surveyed = col(h.surveyed_on).is_not(None)
    query = select(
        _sum_if(surveyed),
        _sum_if(surveyed, col(h.occupants)),
        _sum_if(col(h.basic_water).is_(True), col(h.occupants)),
        _sum_if(col(h.wastewater_service).in_(d.WASTEWATER_SERVICES), col(h.occupants)),
        _sum_if(and_surveyed(col(h.basic_water).is_(False))),
        _sum_if(col(h.sanitation_level) == "babs"),
        _sum_if(and_surveyed(col(h.sanitation_level).not_in(d.LAYAK_SANITATION))),
    ).where(*in_scope(h, scope))
    row = (await session.execute(query)).one()
    names = (
        "households_surveyed",
        "population_surveyed",
        "population_basic_water",
        "population_wastewater_service",
        "households_without_basic_water",
        "households_babs",
        "households_without_layak_sanitation",
    )
    figures: dict[str, object] = {n: int(v) for n, v in zip(names, row, strict=True)}
    figures["households_known"] = await _known(session, scope)
    figures["water_levels"] = await _levels(session, scope, "water_level")
    figures["sanitation_levels"] = await _levels(session, scope, "sanitation_level")
    return figures


def and_surveyed(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return and_(col(Household.surveyed_on).is_not(None), condition)


async def _known(session: AsyncSession, scope: Scope) -> int:
    mine = select(col(Household.posyandu_id), col(Household.household_ref)).where(
        *in_scope(Household, scope)
    )
    theirs = select(col(KnownHousehold.posyandu_id), col(KnownHousehold.household_ref)).where(
        *in_scope(KnownHousehold, scope)
    )
    refs = union(mine, theirs).subquery()
    return int((await session.execute(select(func.count()).select_from(refs))).scalar_one())


async def _levels(session: AsyncSession, scope: Scope, name: str) -> dict[str, int]:
    level = getattr(Household, name)
    query = (
        select(level, func.count())
        .where(*in_scope(Household, scope), level.is_not(None))
        .group_by(level)
    )
    return {str(k): int(n) for k, n in sorted(await session.execute(query))}


async def issue_figures(
    session: AsyncSession, scope: Scope, today: date, rules: OverdueThresholds
) -> IssuesSummary:
    """Issues open today (duplicates counted in their first), by status and kind; overdue."""
    i = InfrastructureIssue
    query = (
        select(col(i.status), col(i.kind), func.count(), _sum_if(tallies.overdue_at(today, rules)))
        .where(*in_scope(i, scope), col(i.duplicate_of).is_(None), tallies.open_at(today))
        .group_by(col(i.status), col(i.kind))
    )
    by_status: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    overdue = 0
    for status, kind, n, late in await session.execute(query):
        by_status[status] = by_status.get(status, 0) + int(n)
        by_kind[kind] = by_kind.get(kind, 0) + int(n)
        overdue += int(late)
    return IssuesSummary(
        open=sum(by_status.values()),
        overdue=overdue,
        by_status=dict(sorted(by_status.items())),
        by_kind=dict(sorted(by_kind.items())),
    )
