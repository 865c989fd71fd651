"""Aggregates for DPMD, the Tim Pembina and the gateway: SPM pekerjaan umum indicators,
referrals resolved in time, a summary of one posyandu or a wilayah, and figures by desa (the
routes, their parameters and rights: ``simpul_platform.field_contract``)."""

from __future__ import annotations

from simpul_platform.field_contract import AggregateAccess, AggregateQuery, aggregate_router
from simpul_platform.indicators import IndicatorValue
from simpul_platform.tallies import Scope
from simpul_public_works.api.deps import KADER, OPD
from simpul_public_works.ops import aggregates
from simpul_public_works.ops.issues_rows import overdue_thresholds
from simpul_public_works.schemas.indicators import DesaRow, Summary
from simpul_public_works.settings import PublicWorksSettings

Query = AggregateQuery[Scope, PublicWorksSettings]


async def indicators(query: Query) -> list[IndicatorValue]:
    """SPM pekerjaan umum (basic daily drinking water, domestic wastewater service; each
    household by its latest survey on or before the period's end, weighted by its occupants),
    survey coverage, BABS, safe water, layak sanitation, infrastructure issues overdue and done
    (yearly: a month or quarter counts its year to date), and referrals to public works
    resolved within their due date."""
    rules = overdue_thresholds(query.settings)
    values = await aggregates.indicators(query.session, query.scope, query.month, rules)
    return [*values, await query.referrals_resolved_in_time()]


async def summary(query: Query) -> Summary:
    """Households known and surveyed with their water and sanitation by their latest survey,
    infrastructure issues open now, and public works' referrals, for one posyandu or a
    wilayah (current figures; the period is echoed)."""
    session, scope, today = query.session, query.scope, query.today
    rules = overdue_thresholds(query.settings)
    return Summary(
        **query.echo(as_of=today),
        **await aggregates.household_figures(session, scope),
        issues=await aggregates.issue_figures(session, scope, today, rules),
        referrals=await query.referrals_held(),
    )


async def summary_by_desa(query: Query) -> list[DesaRow]:
    """Households and issues per desa at the period's end (as /v1/indicators counts them):
    known, surveyed, population surveyed and served, households without basic water, BABS,
    without layak sanitation, issues open, overdue and done in the year."""
    rules = overdue_thresholds(query.settings)
    return await aggregates.by_desa(query.session, query.scope, query.month, rules)


ACCESS = AggregateAccess("public_works", (OPD, KADER), PublicWorksSettings, Scope)
router = aggregate_router(ACCESS, indicators, summary, summary_by_desa)
