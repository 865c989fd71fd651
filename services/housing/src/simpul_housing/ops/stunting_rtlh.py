"""The ``housing.stunting-rtlh`` consumer's handler: health's stunting detections in; the
household recorded as stunted, then a referral or a recorded decision (``domain.stunting_rtlh``
says which and what "once" means).

Exactly once, three ways: the consumer's inbox skips a redelivered event; the decision row
(unique per event id) makes the same event a no-op even past the inbox (a replay after its rows
were pruned); and the household's ``stunted_household`` row, locked before the decision is
taken, makes two detections of one household decide one after the other, so the second sees
the first's open referral.

The referral is housing's own rule, written already accepted with the decision as its case:
the kader resolves it (``rtlh_listed``, ``surveyed_rlh``, ``aid_assigned``, …). A
``stunting_rtlh`` referral carries in its details what the RTLH case's prioritisation reads:
jenis kawasan ``stunting``, the house and the survey that found it RTLH.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import exists, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_housing.domain.stunting_rtlh import KAWASAN_STUNTING, REASONS, Decision, decide
from simpul_housing.events import StuntingDetected
from simpul_housing.models import House, StuntedHousehold, StuntingRtlhDecision
from simpul_housing.ops import tallies
from simpul_housing.ops.houses import house_of
from simpul_housing.settings import HousingSettings
from simpul_platform.clock import local_day, now
from simpul_platform.events import Envelope, new_id
from simpul_platform.outbox import Outbox
from simpul_platform.referrals.automatic import automatic
from simpul_platform.referrals.rows import due_date
from simpul_platform.referrals.tables import referral, referral_history

ACTOR = "system:stunting-rtlh"
OPEN = ("requested", "accepted")
STUNTING_REASONS = tuple(sorted(set(REASONS.values())))


async def referral_open(session: AsyncSession, household: str) -> bool:
    """An open stunting referral to housing for the household, of either reason."""
    query = select(
        exists().where(
            referral.c.direction == "incoming",
            referral.c.target_field == "housing",
            referral.c.reason_code.in_(STUNTING_REASONS),
            referral.c.household_ref == household,
            referral.c.status.in_(OPEN),
        )
    )
    return bool((await session.execute(query)).scalar())


async def record_stunted(
    session: AsyncSession, household: str, data: StuntingDetected, event: Envelope
) -> None:
    """Record (or refresh) the household as having a stunted child, and hold its row locked
    for the rest of the transaction. Its posyandu is the latest detection's."""
    row = await session.get(StuntedHousehold, household, with_for_update=True)
    # Counted from its first detection at its posyandu: that one's months (and, when the
    # household is now reported at another posyandu, the old one's) change.
    before = None if row is None else row.posyandu_id
    since = data.measured_on if row is None else min(row.first_detected_on, data.measured_on)
    moved = [before] if before is not None and before != data.posyandu_id else []
    await tallies.invalidate_many(session, [data.posyandu_id, *moved], since)
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


def referral_details(decision: Decision, house: House | None) -> dict[str, Any]:
    """What the referral says beyond its reason: for an RTLH house, its priority marking
    (jenis kawasan STUNTING) and which house and survey; for a survey, which house if known."""
    if house is None:
        return {"house_known": "no"}
    details: dict[str, Any] = {"house_id": house.id}
    if decision == "referred_rtlh":
        details |= {"kawasan": KAWASAN_STUNTING, "priority": "prioritised"}
        details["assessment_id"] = house.latest_assessment_id
    return details


class StuntingRtlh:
    """The handler of the ``housing.stunting-rtlh`` consumer (consumers.py)."""

    def __init__(self, settings: HousingSettings) -> None:
        self.settings = settings
        self.outbox = Outbox(settings)

    async def on_detected(
        self, session: AsyncSession, data: StuntingDetected, event: Envelope
    ) -> None:
        seen = select(col(StuntingRtlhDecision.id)).where(StuntingRtlhDecision.event_id == event.id)
        if (await session.execute(seen)).first() is not None:
            return
        house, is_open = None, False
        if data.household_ref is not None:
            await record_stunted(session, data.household_ref, data, event)
            house = await house_of(session, data.household_ref)
            is_open = await referral_open(session, data.household_ref)
        decision = decide(
            has_household=data.household_ref is not None,
            house_known=house is not None,
            rtlh_pupr=None if house is None else house.rtlh_pupr,
            referral_open=is_open,
        )
        decision_id, referral_id = new_id(), None
        detected_on = local_day(self.settings, event.time)
        if decision in REASONS:
            referral_id = await self._refer(
                session, data, decision, house, decision_id, detected_on
            )
        session.add(
            StuntingRtlhDecision(
                id=decision_id,
                event_id=event.id,
                episode_id=data.episode_id,
                person_ref=data.person_ref,
                household_ref=data.household_ref,
                posyandu_id=data.posyandu_id,
                desa_code=data.desa_code,
                house_id=None if house is None else house.id,
                assessment_id=None if house is None else house.latest_assessment_id,
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
        house: House | None,
        decision_id: str,
        detected_on: date,
    ) -> str:
        """Health's detection, referred to housing by housing's own rule and accepted with
        this decision as its case; at the house's posyandu when housing knows the house (where
        its kader works), else at the child's."""
        opened = automatic(
            field="housing",
            source_field="health",
            reason_code=REASONS[decision],
            posyandu_id=data.posyandu_id if house is None else house.posyandu_id,
            desa_code=data.desa_code if house is None else house.desa_code,
            person_ref=None,  # the household is the subject: housing works on its house
            household_ref=data.household_ref,
            requested_on=detected_on,
            accepted_on=detected_on,
            due_on=due_date(self.settings, "housing", detected_on),
            case_ref=decision_id,
            actor=ACTOR,
            moment=now(),
        )
        row = opened.row | {"details": referral_details(decision, house)}
        await session.execute(insert(referral), row)
        await session.execute(insert(referral_history), opened.steps)
        await self.outbox.add(session, opened.event, subject=row["id"])
        return str(row["id"])
