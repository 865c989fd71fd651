"""Households' DTSEN deciles, replicated from social's ``social.household.assessed.v1`` (never
read from social's database): what the PAUD equity indicator groups children by."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.events import HouseholdAssessed
from simpul_education.models import Child, HouseholdDecile
from simpul_education.ops.tallies import invalidate_many
from simpul_platform.consumer import Received
from simpul_platform.deciles import keep_latest_many
from simpul_platform.events import Envelope


async def record_assessment(
    session: AsyncSession, assessed: HouseholdAssessed, event: Envelope
) -> None:
    """Keep the household's latest assessment (the platform's rule: by date; of one date, the
    later event); when its decile changes, drop the counts of every posyandu its children are
    known at."""
    await record_assessments(session, [Received(assessed, event)])


async def record_assessments(
    session: AsyncSession, run: Sequence[Received[HouseholdAssessed]]
) -> None:
    """``record_assessment`` for a consumer chunk's run, in one read and one drop."""
    changed = await keep_latest_many(
        session, HouseholdDecile, [(assessed, event.id) for assessed, event in run]
    )
    if changed:
        # A decile is the household's latest known one, used for every period: all months.
        await invalidate_many(session, await posyandu_of(session, changed), date.min)


async def posyandu_of(session: AsyncSession, households: set[str]) -> list[str]:
    """The posyandu the households' children are known at."""
    query = (
        select(col(Child.posyandu_id))
        .where(col(Child.household_ref).in_(sorted(households)))
        .distinct()
    )
    return sorted((await session.exec(query)).all())
