"""Aggregates for DPMD and the gateway: SPM pendidikan indicators, referrals resolved in
time, a summary by status, and children's figures by desa (the routes, their parameters and
rights: ``simpul_platform.field_contract``)."""

from __future__ import annotations

from simpul_education.api.deps import KADER, OPD
from simpul_education.domain import indicators as definitions
from simpul_education.ops import aggregates, ats_aggregates
from simpul_education.schemas.indicators import DesaRow, Summary
from simpul_education.settings import EducationSettings
from simpul_platform.field_contract import AggregateAccess, AggregateQuery, aggregate_router
from simpul_platform.indicators import IndicatorValue
from simpul_platform.tallies import Scope, month_end

Query = AggregateQuery[Scope, EducationSettings]


def counts_of(settings: EducationSettings) -> definitions.Definitions:
    """The counts kept per posyandu and month, with the settings' kesetaraan status sets."""
    return definitions.definitions(settings.kesetaraan_numerator, settings.kesetaraan_denominator)


async def indicators(query: Query) -> list[IndicatorValue]:
    """SPM pendidikan (PAUD 5–6, dasar 7–15, kesetaraan 7–18, PAUD equity; ages and statuses
    at the end of the period's last month, or of the current month) and referrals to
    education resolved within their due date."""
    session, scope = query.session, query.scope
    values = await aggregates.indicators(session, counts_of(query.settings), scope, query.month)
    referrals = await query.referrals_resolved_in_time()
    ats = await ats_aggregates.ats_indicators(session, scope, query.period, query.today)
    return [*values, referrals, *ats]


async def summary(query: Query) -> Summary:
    """Children by education status as of the period's end, for one posyandu or a wilayah,
    and the ATS cases open now (one posyandu's: listed, the longest waiting first)."""
    session, scope, today = query.session, query.scope, query.today
    as_of = min(query.period.end, today)
    counts = await aggregates.by_status(session, scope, as_of)
    return Summary(
        **query.echo(as_of=as_of),
        children=sum(counts.values()),
        by_status=counts,
        ats_cases=await ats_aggregates.open_ats_summary(session, scope, today),
    )


async def summary_by_desa(query: Query) -> list[DesaRow]:
    """Children 0–18 per desa at the period's end (as /v1/indicators counts them): by age
    group, in PAUD, in basic education, out of school; and open ATS cases."""
    session, scope, month = query.session, query.scope, query.month
    as_of = min(month_end(month), query.today)
    ats_open = await ats_aggregates.open_ats_by_desa(session, scope, as_of)
    return await aggregates.by_desa(session, counts_of(query.settings), scope, month, ats_open)


ACCESS = AggregateAccess("education", (OPD, KADER), EducationSettings, Scope)
router = aggregate_router(ACCESS, indicators, summary, summary_by_desa)
