"""The ``education.stunting-paud`` consumer's handler: health's stunting detections in, a PAUD
referral or a recorded decision out, exactly once per detection event.

The consumer's inbox skips a redelivered event; the decision row (unique per event id) makes
the same event a no-op even past the inbox (a replay after its rows were pruned, a second
consumer), so a restart or redelivery never refers a child twice.

A child education does not know (not yet registered here, the census has not reached them)
is still referred: not being known to the field is no sign of being in PAUD, and the referral
is how the field comes to know them. The referral carries the pseudonyms; the kader finds the
child through health's posyandu.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import exists, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_education.domain.stunting_paud import Decision, age_at_detection, decide
from simpul_education.events import StuntingDetected
from simpul_education.models import StuntingPaudDecision
from simpul_education.ops.paud import in_paud_or_bkb
from simpul_education.settings import EducationSettings
from simpul_platform.clock import local_day, now
from simpul_platform.events import Envelope, new_id
from simpul_platform.outbox import Outbox
from simpul_platform.referrals.automatic import automatic
from simpul_platform.referrals.rows import due_date
from simpul_platform.referrals.tables import referral, referral_history

ACTOR = "system:stunting-paud"
REASON = "paud_not_enrolled"
OPEN = ("requested", "accepted")


async def _referral_open(session: AsyncSession, person_ref: str) -> bool:
    """An open PAUD referral to education for the child, from any field or rule."""
    query = select(
        exists().where(
            referral.c.direction == "incoming",
            referral.c.target_field == "education",
            referral.c.reason_code == REASON,
            referral.c.person_ref == person_ref,
            referral.c.status.in_(OPEN),
        )
    )
    return bool((await session.execute(query)).scalar())


class StuntingPaud:
    """The handler of the ``education.stunting-paud`` consumer (consumers.py)."""

    def __init__(self, settings: EducationSettings) -> None:
        self.settings = settings
        self.outbox = Outbox(settings)

    async def on_detected(
        self, session: AsyncSession, data: StuntingDetected, event: Envelope
    ) -> None:
        seen = select(col(StuntingPaudDecision.id)).where(StuntingPaudDecision.event_id == event.id)
        if (await session.execute(seen)).first() is not None:
            return
        detected_on = local_day(self.settings, event.time)
        months = age_at_detection(data.age_days, data.measured_on)
        decision = decide(
            months,
            in_paud_or_bkb=await in_paud_or_bkb(
                session,
                person_ref=data.person_ref,
                household_ref=data.household_ref,
                on=detected_on,
            ),
            referral_open=await _referral_open(session, data.person_ref),
        )
        decision_id = new_id()
        referral_id = None
        if decision == "referred":
            referral_id = await self._refer(session, data, decision_id, months, detected_on)
        await self._remember(
            session, decision_id, data, event, months, detected_on, decision, referral_id
        )

    async def _refer(
        self,
        session: AsyncSession,
        data: StuntingDetected,
        decision_id: str,
        months: int,
        detected_on: date,
    ) -> str:
        """Health's detection, referred to education by education's own rule and accepted with
        this decision as its case (so it is counted with every other referral): the kader
        resolves it with ``enrolled_paud`` or another outcome."""
        opened = automatic(
            field="education",
            source_field="health",
            reason_code=REASON,
            posyandu_id=data.posyandu_id,
            desa_code=data.desa_code,
            person_ref=data.person_ref,
            household_ref=data.household_ref,
            requested_on=detected_on,
            accepted_on=detected_on,
            due_on=due_date(self.settings, "education", detected_on),
            case_ref=decision_id,
            actor=ACTOR,
            moment=now(),
        )
        row = opened.row | {"details": {"age_months": months}}
        await session.execute(insert(referral), row)
        await session.execute(insert(referral_history), opened.steps)
        await self.outbox.add(session, opened.event, subject=row["id"])
        return str(row["id"])

    async def _remember(
        self,
        session: AsyncSession,
        decision_id: str,
        data: StuntingDetected,
        event: Envelope,
        months: int,
        detected_on: date,
        decision: Decision,
        referral_id: str | None,
    ) -> None:
        row = StuntingPaudDecision(
            id=decision_id,
            event_id=event.id,
            episode_id=data.episode_id,
            person_ref=data.person_ref,
            household_ref=data.household_ref,
            posyandu_id=data.posyandu_id,
            desa_code=data.desa_code,
            age_months=months,
            detected_on=detected_on,
            decision=decision,
            referral_id=referral_id,
            decided_at=now(),
        )
        session.add(row)
