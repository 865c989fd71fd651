"""Aggregates for DPMD, the Tim Pembina and the gateway: SPM trantibumlinmas indicators,
referrals resolved in time, a summary of one posyandu or a wilayah, and figures by desa (the
routes, their parameters and rights: ``simpul_platform.field_contract``). Counts only: never a
household, a person, a reporter or a report's place."""

from __future__ import annotations

from simpul_platform.field_contract import AggregateAccess, AggregateQuery, aggregate_router
from simpul_platform.indicators import IndicatorValue
from simpul_platform.tallies import Scope
from simpul_trantib.api.deps import BPBD, DAMKAR, KADER, OPD, SATPOL_PP
from simpul_trantib.ops import aggregates
from simpul_trantib.schemas.indicators import DesaRow, Summary
from simpul_trantib.settings import TrantibSettings

Query = AggregateQuery[Scope, TrantibSettings]


async def indicators(query: Query) -> list[IndicatorValue]:
    """SPM trantibumlinmas of the period: fires with a response ≤ 15 minutes inside a WMK and
    overall, desa within a WMK, public-order affected citizens served (the formula the setting
    names), disaster victims evacuated, people of hazard zones reached by risk information;
    and referrals to trantib resolved within their due date."""
    values = await aggregates.indicators(
        query.session, query.scope, query.period, query.today, query.settings
    )
    return [*values, await query.referrals_resolved_in_time()]


async def summary(query: Query) -> Summary:
    """Fires, public-order reports, disasters and risk information of the period, and the state
    now (desa within a WMK, under Linmas strength, expired APAR, open reports) with trantib's
    referrals, for one posyandu or a wilayah."""
    figures = await aggregates.summary(
        query.session, query.scope, query.period, query.today, query.settings
    )
    return Summary(
        **query.echo(as_of=query.today), **figures, referrals=await query.referrals_held()
    )


async def summary_by_desa(query: Query) -> list[DesaRow]:
    """Per desa with a posyandu in scope: the period's fires, public-order reports, disasters
    (one spanning several desa counted whole in each) and risk information, and the state now."""
    rows = await aggregates.by_desa(
        query.session, query.scope, query.period, query.today, query.settings
    )
    return [DesaRow.model_validate(row) for row in rows]


ACCESS = AggregateAccess("trantib", (OPD, SATPOL_PP, DAMKAR, BPBD, KADER), TrantibSettings, Scope)
router = aggregate_router(ACCESS, indicators, summary, summary_by_desa)
