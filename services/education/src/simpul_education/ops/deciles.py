"""Households' DTSEN deciles, replicated from social's ``social.household.assessed.v1`` (never
read from social's database): what the PAUD equity indicator groups children by."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.events import HouseholdAssessed
from simpul_education.models import Child, HouseholdDecile
from simpul_education.ops.tallies import invalidate_many
from simpul_platform.deciles import keep_latest
from simpul_platform.events import Envelope


async def record_assessment(
    session: AsyncSession, assessed: HouseholdAssessed, event: Envelope
) -> None:
    """Keep the household's latest assessment (the platform's rule: by date; of one date, the
    later event); when its decile changes, drop the counts of every posyandu its children are
    known at."""
    if await keep_latest(session, HouseholdDecile, assessed, event.id):
        # A decile is the household's latest known one, used for every period: all months.
        await invalidate_many(session, await posyandu_of(session, assessed.household_ref), date.min)


async def posyandu_of(session: AsyncSession, household: str) -> list[str]:
    """The posyandu the household's children are known at."""
    query = select(col(Child.posyandu_id)).where(col(Child.household_ref) == household).distinct()
    return list((await session.exec(query)).all())
