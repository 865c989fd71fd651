"""The ``public-works.stunting-wash`` consumer's handler: health's stunting detections in; the
household recorded as stunted, then a referral or a recorded decision (``domain.stunting_wash``
says which and what "once" means).

Exactly once, three ways: the consumer's inbox skips a redelivered event; the decision row
(unique per event id) makes the same event a no-op even past the inbox (a replay after its rows
were pruned); and the household's ``stunted_household`` row, locked before the decision is
taken, makes two detections of one household decide one after the other, so the second sees
the first's open referral.

The referral is public works' own rule, written through the platform's automatic referrals,
already accepted with the decision as its case: a PU kader surveys the household (the survey
resolves a survey task, ``ops.survey_followup``) or the works resolve the prioritised one. It
is opened at the household's posyandu when public works knows the household (where its kader
surveyed it), else at the child's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import exists, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import local_day, now
from simpul_platform.events import Envelope, new_id
from simpul_platform.outbox import Outbox
from simpul_platform.referrals.automatic import automatic
from simpul_platform.referrals.rows import due_date
from simpul_platform.referrals.tables import referral, referral_history
from simpul_public_works.domain.stunting_wash import (
    REASONS,
    STUNTING_REASONS,
    Decision,
    decide,
)
from simpul_public_works.events import StuntingDetected
from simpul_public_works.models import Household, StuntedHousehold, StuntingWashDecision
from simpul_public_works.settings import PublicWorksSettings

FIELD = "public_works"
ACTOR = "system:stunting-wash"
OPEN = ("requested", "accepted")


async def referral_open(session: AsyncSession, household: str) -> bool:
    """An open stunting referral to public works for the household, of either reason."""
    query = select(
        exists().where(
            referral.c.direction == "incoming",
            referral.c.target_field == FIELD,
            referral.c.reason_code.in_(STUNTING_REASONS),
            referral.c.household_ref == household,
            referral.c.status.in_(OPEN),
        )
    )
    return bool((await session.execute(query)).scalar())


async def record_stunted(
    session: AsyncSession, household: str, data: StuntingDetected, event: Envelope
) -> StuntedHousehold:
    """Record (or refresh) the household as having a stunted child, and hold its row locked
    for the rest of the transaction. Its posyandu is the latest detection's."""
    row = await session.get(StuntedHousehold, household, with_for_update=True)
    if row is None:
        row = StuntedHousehold(
            household_ref=household,
            posyandu_id=data.posyandu_id,
            desa_code=data.desa_code,
            first_detected_on=data.measured_on,
            last_detected_on=data.measured_on,
            last_event_id=event.id,
        )
    else:
        if data.measured_on >= row.last_detected_on:
            row.posyandu_id, row.desa_code = data.posyandu_id, data.desa_code
            row.last_detected_on = data.measured_on
        row.first_detected_on = min(row.first_detected_on, data.measured_on)
        row.last_event_id = event.id
    session.add(row)
    await session.flush()  # a concurrent first detection of the household waits on this row
    return row


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


class StuntingWash:
    """The handler of the ``public-works.stunting-wash`` consumer (consumers.py)."""

    def __init__(self, settings: PublicWorksSettings) -> None:
        self.settings = settings
        self.outbox = Outbox(settings)

    async def on_detected(
        self, session: AsyncSession, data: StuntingDetected, event: Envelope
    ) -> None:
        seen = select(col(StuntingWashDecision.id)).where(StuntingWashDecision.event_id == event.id)
        if (await session.execute(seen)).first() is not None:
            return
        household, is_open = None, False
        if data.household_ref is not None:
            await record_stunted(session, data.household_ref, data, event)
            household = await household_of(session, data.household_ref)
            is_open = await referral_open(session, data.household_ref)
        decision = decide(
            has_household=data.household_ref is not None,
            household_known=household is not None,
            basic_water=None if household is None else household.basic_water,
            sanitation_level=None if household is None else household.sanitation_level,
            referral_open=is_open,
        )
        decision_id, referral_id = new_id(), None
        detected_on = local_day(self.settings, event.time)
        if decision in REASONS:
            referral_id = await self._refer(
                session, data, decision, household, decision_id, detected_on
            )
        session.add(
            StuntingWashDecision(
                id=decision_id,
                event_id=event.id,
                episode_id=data.episode_id,
                person_ref=data.person_ref,
                household_ref=data.household_ref,
                posyandu_id=data.posyandu_id,
                desa_code=data.desa_code,
                household_id=None if household is None else household.id,
                survey_id=None if household is None else household.latest_survey_id,
                detected_on=detected_on,
                decision=decision,
                referral_id=referral_id,
                decided_at=now(),
            )
        )

    async def _refer(
        self,
        session: AsyncSession,
        data: StuntingDetected,
        decision: Decision,
        household: Household | None,
        decision_id: str,
        detected_on: date,
    ) -> str:
        """Health's detection, referred to public works by its own rule and accepted with this
        decision as its case."""
        opened = automatic(
            field=FIELD,
            source_field="health",
            reason_code=REASONS[decision],
            posyandu_id=data.posyandu_id if household is None else household.posyandu_id,
            desa_code=data.desa_code if household is None else household.desa_code,
            person_ref=None,  # the household is the subject: public works works on its water
            household_ref=data.household_ref,
            requested_on=detected_on,
            accepted_on=detected_on,
            due_on=due_date(self.settings, FIELD, detected_on),
            case_ref=decision_id,
            actor=ACTOR,
            moment=now(),
        )
        row = opened.row | {"details": referral_details(decision, household)}
        await session.execute(insert(referral), row)
        await session.execute(insert(referral_history), opened.steps)
        await self.outbox.add(session, opened.event, subject=row["id"])
        return str(row["id"])
