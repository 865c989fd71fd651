"""The ``public-works.stunting-wash`` consumer's handler: health's stunting detections in; the
household recorded as stunted, then a referral or a recorded decision (``domain.stunting_wash``
says which and what "once" means). Deciding each event once and opening the referral is the
platform's (``simpul_platform.stunting``).

The referral is public works' own rule, already accepted with the decision as its case: a PU
kader surveys the household (the survey resolves a survey task, ``ops.survey_followup``) or
the works resolve the prioritised one. It is opened at the household's posyandu when public
works knows the household (where its kader surveyed it), else at the child's.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.events import Envelope
from simpul_platform.stunting import Referral, StuntingReaction, Verdict, record_stunted
from simpul_public_works.domain.stunting_wash import (
    REASONS,
    STUNTING_REASONS,
    Decision,
    decide,
)
from simpul_public_works.events import StuntingDetected
from simpul_public_works.models import Household, StuntedHousehold, StuntingWashDecision

ACTOR = "system:stunting-wash"


async def household_of(session: AsyncSession, household: str) -> Household | None:
    """The household, locked: a survey of it being recorded now is waited for and seen."""
    query = select(Household).where(Household.household_ref == household).with_for_update()
    return (await session.exec(query)).first()


def referral_details(decision: Decision, household: Household | None) -> dict[str, Any]:
    """What the referral says beyond its reason: for a household short of water or
    sanitation, its priority and the survey and levels that found it; for a survey task,
    whether public works knows the household."""
    if household is None:
        return {"household_known": "no"}
    details: dict[str, Any] = {"household_id": household.id}
    if decision == "referred_wash":
        details |= {
            "priority": "prioritised",
            "survey_id": household.latest_survey_id,
            "water_level": household.water_level,
            "sanitation_level": household.sanitation_level,
            "basic_water": household.basic_water,
        }
    return details


class StuntingWash(StuntingReaction[StuntingDetected]):
    """The handler of the ``public-works.stunting-wash`` consumer (consumers.py)."""

    field = "public_works"
    actor = ACTOR
    decisions = StuntingWashDecision

    async def judge(
        self, session: AsyncSession, data: StuntingDetected, event: Envelope
    ) -> Verdict:
        household, is_open = None, False
        if data.household_ref is not None:
            await record_stunted(session, StuntedHousehold, data.household_ref, data, event.id)
            household = await household_of(session, data.household_ref)
            is_open = await self.referral_open(
                session, STUNTING_REASONS, household_ref=data.household_ref
            )
        decision = decide(
            has_household=data.household_ref is not None,
            household_known=household is not None,
            basic_water=None if household is None else household.basic_water,
            sanitation_level=None if household is None else household.sanitation_level,
            referral_open=is_open,
        )
        columns = {
            "household_id": None if household is None else household.id,
            "survey_id": None if household is None else household.latest_survey_id,
        }
        if decision not in REASONS:
            return Verdict(decision, columns=columns)
        # The household is the subject: public works works on its water and sanitation.
        details = referral_details(decision, household)
        return Verdict(decision, Referral(REASONS[decision], details, at=household), columns)
