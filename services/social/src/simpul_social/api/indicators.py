"""Aggregates for DPMD and the gateway: SPM sosial indicators, bansos coverage, the summary
(the routes, their parameters and rights: ``simpul_platform.field_contract``)."""

from __future__ import annotations

from simpul_platform.field_contract import AggregateAccess, AggregateQuery, aggregate_router
from simpul_platform.indicators import IndicatorValue
from simpul_social.api.deps import KADER, OPD
from simpul_social.ops import aggregates
from simpul_social.ops import summary as summaries
from simpul_social.schemas.indicators import DesaPoverty, Summary
from simpul_social.settings import SocialSettings

Query = AggregateQuery[aggregates.Scope, SocialSettings]


async def indicators(query: Query) -> list[IndicatorValue]:
    """SPM sosial (PPKS served ÷ identified per group, disaster victims protected ÷ victims),
    bansos coverage, priority follow-up, and referrals to social resolved within their due date."""
    due_days = query.settings.priority_due_working_days
    values = await aggregates.indicators(query.session, query.scope, query.period, due_days)
    return [*values, await query.referrals_resolved_in_time()]


async def summary(query: Query) -> Summary:
    """Households per decile, deciles 1–4, priority cases (open with due dates), decisions."""
    return await summaries.summary(query.session, query.scope, query.period, query.today)


async def poverty_by_desa(query: Query) -> list[DesaPoverty]:
    """Share of households in deciles 1–4 per desa under a wilayah (DTSEN as of now; the
    period is accepted for symmetry with the other views)."""
    return await summaries.poverty_by_desa(query.session, query.scope)


ACCESS = AggregateAccess("social", (OPD, KADER), SocialSettings, aggregates.Scope)
router = aggregate_router(
    ACCESS, indicators, summary, poverty_by_desa, by_desa_operation_id="povertyByDesa"
)
