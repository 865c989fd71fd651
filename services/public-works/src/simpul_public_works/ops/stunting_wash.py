"""The ``public-works.stunting-wash`` consumer's handler: health's stunting detections in; the
household recorded as stunted, then a referral or a recorded decision (``domain.stunting_wash``
says which and what "once" means). Deciding each event once and opening the referral is the
platform's (``simpul_platform.stunting``).

The referral is public works' own rule, already accepted with the decision as its case: a PU
kader surveys the household (the survey resolves a survey task, ``ops.survey_followup``) or
the works resolve the prioritised one. It is opened at the household's posyandu when public
works knows the household (where its kader surveyed it), else at the child's.

The detection also makes its household known (``ops.known_households``, survey coverage's
denominator), in the same transaction: one consumer of health's detections, not two. (Two
consumers of the same stream in one database doubled its transactions; the reaction's
latency at 200 detections a second was twice the other fields'.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.events import Envelope
from simpul_platform.stunting import HouseholdReaction
from simpul_public_works.domain.stunting_wash import REASONS, Decision, decide
from simpul_public_works.events import StuntingDetected
from simpul_public_works.models import Household, StuntedHousehold, StuntingWashDecision
from simpul_public_works.ops import known_households

ACTOR = "system:stunting-wash"


async def household_of(session: AsyncSession, household: str) -> Household | None:
    """The household, locked: a survey of it being recorded now is waited for and seen."""
    query = select(Household).where(Household.household_ref == household).with_for_update()
    return (await session.exec(query)).first()


async def households_of(session: AsyncSession, households: list[str]) -> dict[str, Household]:
    """``household_of`` for many households at once, locked in key order."""
    query = (
        select(Household)
        .where(col(Household.household_ref).in_(households))
        .order_by(col(Household.household_ref))
        .with_for_update()
    )
    return {row.household_ref: row for row in (await session.exec(query)).all()}


class StuntingWash(HouseholdReaction[StuntingDetected, Household]):
    """The handler of the ``public-works.stunting-wash`` consumer (consumers.py): the
    household's latest survey is what public works reads; the household is the referral's
    subject."""

    field = "public_works"
    actor = ACTOR
    decisions = StuntingWashDecision
    stunted = StuntedHousehold
    reasons = REASONS

    async def on_detected(
        self, session: AsyncSession, data: StuntingDetected, event: Envelope
    ) -> None:
        """The reaction (decided once), then the household known from the detection."""
        await super().on_detected(session, data, event)
        await known_households.on_event(session, data, event)

    async def on_detected_batch(
        self, session: AsyncSession, run: Sequence[tuple[StuntingDetected, Envelope]]
    ) -> None:
        """``on_detected`` for a consumer chunk's run of detections."""
        await super().on_detected_batch(session, run)
        await known_households.on_events(session, run)

    async def find(self, session: AsyncSession, household_ref: str) -> Household | None:
        return await household_of(session, household_ref)

    async def find_many(
        self, session: AsyncSession, household_refs: list[str]
    ) -> dict[str, Household]:
        return await households_of(session, household_refs)

    def rule(
        self, data: StuntingDetected, found: Household | None, referral_open: bool
    ) -> Decision:
        return decide(
            has_household=data.household_ref is not None,
            household_known=found is not None,
            basic_water=None if found is None else found.basic_water,
            sanitation_level=None if found is None else found.sanitation_level,
            referral_open=referral_open,
        )

    def columns(self, found: Household | None) -> dict[str, Any]:
        if found is None:
            return {"household_id": None, "survey_id": None}
        return {"household_id": found.id, "survey_id": found.latest_survey_id}

    def details(self, decision: str, found: Household | None) -> dict[str, Any]:
        """For a household short of water or sanitation, its priority and the survey and
        levels that found it; for a survey task, whether public works knows the household."""
        if found is None:
            return {"household_known": "no"}
        details: dict[str, Any] = {"household_id": found.id}
        if decision == "referred_wash":
            details |= {
                "priority": "prioritised",
                "survey_id": found.latest_survey_id,
                "water_level": found.water_level,
                "sanitation_level": found.sanitation_level,
                "basic_water": found.basic_water,
            }
        return details
