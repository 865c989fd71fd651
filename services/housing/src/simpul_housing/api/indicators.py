"""Aggregates for DPMD, the Tim Pembina and the gateway: SPM perumahan indicators, referrals
resolved in time, a summary of one posyandu or a wilayah, and houses' figures by desa (the
routes, their parameters and rights: ``simpul_platform.field_contract``)."""

from __future__ import annotations

from simpul_housing.api.deps import KADER, OPD
from simpul_housing.ops import aggregates
from simpul_housing.schemas.indicators import DesaRow, Summary
from simpul_housing.settings import HousingSettings
from simpul_platform.field_contract import AggregateAccess, AggregateQuery, aggregate_router
from simpul_platform.indicators import IndicatorValue
from simpul_platform.tallies import Scope

Query = AggregateQuery[Scope, HousingSettings]


async def indicators(query: Query) -> list[IndicatorValue]:
    """SPM perumahan (disaster victims' housing, relocated households' housing; yearly, a month
    or quarter counting its year to date), livable houses under each rule set, stunted
    children's households in RTLH, and referrals to housing resolved within their due date."""
    values = await aggregates.indicators(query.session, query.scope, query.month)
    return [*values, await query.referrals_resolved_in_time()]


async def summary(query: Query) -> Summary:
    """Houses and their classification by their latest survey, RTLH cases and disaster-damaged
    houses open now, and housing's referrals, for one posyandu or a wilayah (current figures;
    the period is echoed)."""
    session, scope = query.session, query.scope
    return Summary(
        **query.echo(as_of=query.today),
        **await aggregates.house_figures(session, scope),
        rtlh_cases=await aggregates.rtlh_cases(session, scope),
        disaster_houses_open=await aggregates.disaster_open(session, scope),
        referrals=await query.referrals_held(),
    )


async def summary_by_desa(query: Query) -> list[DesaRow]:
    """Houses per desa at the period's end (as /v1/indicators counts them): surveyed, RTLH
    under each rule set, RTLH handled in the year, disaster units planned and completed,
    stunted children's households and those in RTLH."""
    return await aggregates.by_desa(query.session, query.scope, query.month)


ACCESS = AggregateAccess("housing", (OPD, KADER), HousingSettings, Scope)
router = aggregate_router(ACCESS, indicators, summary, summary_by_desa)
