"""Households' DTSEN deciles, replicated from social's ``social.household.assessed.v1`` (never
read from social's database): what the RTLH pipeline's prioritisation ranks households by."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.events import HouseholdAssessed
from simpul_housing.models import HouseholdDecile
from simpul_platform.consumer import Received
from simpul_platform.deciles import keep_latest, keep_latest_many
from simpul_platform.events import Envelope


async def record_assessment(
    session: AsyncSession, assessed: HouseholdAssessed, event: Envelope
) -> None:
    """Keep the household's latest assessment (the platform's rule: by date; of one date, the
    later event). No count depends on a decile, so a change drops nothing."""
    await keep_latest(session, HouseholdDecile, assessed, event.id)


async def record_assessments(
    session: AsyncSession, run: Sequence[Received[HouseholdAssessed]]
) -> None:
    """``record_assessment`` for a consumer chunk's run, in one read."""
    await keep_latest_many(session, HouseholdDecile, [(a, event.id) for a, event in run])
