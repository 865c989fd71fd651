"""The stunting reaction: health's detections in, priority cases and leads out.

Exactly once per stunting episode: the inbox makes a redelivered event a no-op, and the unique
``stunting_episode_id`` on priority_case, stunting_lead and stunting_reaction makes a second
detection of the same episode (an escalation, say) update the first instead of adding to it.
A lead is decided again when its household is registered or assessed later (``rematch``).
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.consumer import Consumer, Handler
from simpul_platform.events import Envelope
from simpul_platform.outbox import Outbox
from simpul_social.domain.reaction import Verdict, decide
from simpul_social.domain.workdays import add_working_days, national_holidays
from simpul_social.events import (
    HEALTH_TOPIC,
    STUNTING_CONSUMER,
    STUNTING_DETECTED,
    STUNTING_RECOVERED,
    PriorityCaseOpened,
    StuntingDetected,
    StuntingRecovered,
)
from simpul_social.models import (
    Household,
    PriorityCase,
    StuntingLead,
    StuntingReaction,
)
from simpul_social.ops.bansos import receiving_programs
from simpul_social.ops.common import local_day, local_today, new_id, now
from simpul_social.settings import SocialSettings


def due_date(settings: SocialSettings, detected_on: date) -> date:
    """``priority_due_working_days`` working days after detection (weekends, holidays skipped)."""
    years = range(detected_on.year, detected_on.year + 2)
    holidays = set(settings.extra_holidays)
    if settings.national_holidays:
        holidays |= national_holidays(years, cuti_bersama=settings.cuti_bersama_is_holiday)
    return add_working_days(detected_on, settings.priority_due_working_days, holidays)


class Reaction:
    """Decides one detection inside the caller's transaction (a consumer's or a request's)."""

    def __init__(self, session: AsyncSession, outbox: Outbox, settings: SocialSettings) -> None:
        self.session, self.outbox, self.settings = session, outbox, settings

    async def detected(
        self,
        data: StuntingDetected,
        detected_on: date,
        event_id: str,
        *,
        new_detection: bool = True,
        due_from: date | None = None,
    ) -> Verdict | None:
        """Open, update or decline a case for the episode; None when a case already exists."""
        case = (
            await self.session.exec(
                select(PriorityCase)
                .where(PriorityCase.stunting_episode_id == data.episode_id)
                .with_for_update()
            )
        ).first()
        if case is not None:  # the same episode again (escalated): update, never a second case
            if case.severity != data.severity:
                case.severity = data.severity
                case.escalated_on = case.escalated_on or detected_on
            case.updated_at = now()
            self.session.add(case)
            await self._remember(data, detected_on, event_id, None, None, new_detection)
            return None
        household = None
        if data.household_ref:
            household = (
                await self.session.exec(
                    select(Household).where(Household.household_ref == data.household_ref)
                )
            ).first()
        receiving = (
            await receiving_programs(self.session, household.id, detected_on)
            if household
            else set()
        )
        verdict = decide(
            household_known=household is not None,
            decile=household.decile if household else None,
            receiving_programs=receiving,
            max_priority_decile=self.settings.priority_max_decile,
        )
        if verdict.decision == "case_opened" and household is not None:
            await self._open_case(data, household, detected_on, due_from or detected_on)
        elif verdict.lead_reason is not None:
            await self._lead(data, verdict, household, detected_on)
        await self._remember(data, detected_on, event_id, verdict, household, new_detection)
        return verdict

    async def _open_case(
        self, data: StuntingDetected, household: Household, detected_on: date, due_from: date
    ) -> None:
        assert household.decile is not None
        case = PriorityCase(
            id=new_id(),
            stunting_episode_id=data.episode_id,
            household_id=household.id,
            household_ref=household.household_ref,
            child_person_ref=data.person_ref,
            posyandu_id=household.posyandu_id,
            desa_code=household.desa_code,
            decile=household.decile,
            severity=data.severity,
            detection_measurement_id=data.measurement_id,
            detected_on=detected_on,
            due_on=due_date(self.settings, due_from),
            status="open",
            opened_at=now(),
            updated_at=now(),
        )
        self.session.add(case)
        await self.session.flush()  # the unique episode id is checked here, in this transaction
        await self.outbox.add(
            self.session,
            PriorityCaseOpened(
                case_id=case.id,
                stunting_episode_id=case.stunting_episode_id,
                household_ref=case.household_ref,
                child_person_ref=case.child_person_ref,
                posyandu_id=case.posyandu_id,
                desa_code=case.desa_code,
                decile=case.decile,
                due_on=case.due_on,
                severity=case.severity,
            ),
            posyandu_id=case.posyandu_id,
            wilayah=case.desa_code,
            subject=case.id,
        )

    async def _lead(
        self,
        data: StuntingDetected,
        verdict: Verdict,
        household: Household | None,
        detected_on: date,
    ) -> None:
        lead = (
            await self.session.exec(
                select(StuntingLead).where(StuntingLead.stunting_episode_id == data.episode_id)
            )
        ).first()
        if lead is not None:
            lead.severity = data.severity
            self.session.add(lead)
            return
        assert verdict.lead_reason is not None
        self.session.add(
            StuntingLead(
                id=new_id(),
                stunting_episode_id=data.episode_id,
                reason=verdict.lead_reason,
                household_ref=data.household_ref,
                child_person_ref=data.person_ref,
                posyandu_id=household.posyandu_id if household else data.posyandu_id,
                desa_code=household.desa_code if household else data.desa_code,
                severity=data.severity,
                measurement_id=data.measurement_id,
                detected_on=detected_on,
                status="open",
                household_id=household.id if household else None,
                created_at=now(),
            )
        )

    async def _remember(
        self,
        data: StuntingDetected,
        detected_on: date,
        event_id: str,
        verdict: Verdict | None,
        household: Household | None,
        new_detection: bool,
    ) -> None:
        """Keep the latest decision per episode (and how many detections it has seen)."""
        row = await self.session.get(StuntingReaction, data.episode_id, with_for_update=True)
        if row is None:
            assert verdict is not None
            row = StuntingReaction(
                stunting_episode_id=data.episode_id,
                decision=verdict.decision,
                reason=verdict.reason,
                household_ref=data.household_ref,
                child_person_ref=data.person_ref,
                posyandu_id=data.posyandu_id,
                desa_code=data.desa_code,
                severity=data.severity,
                detected_on=detected_on,
                detections=0,
                last_event_id=event_id,
                decided_at=now(),
                updated_at=now(),
            )
        elif verdict is not None and row.decision != "case_opened":
            row.decision, row.reason, row.decided_at = verdict.decision, verdict.reason, now()
        if household is not None:
            row.household_id, row.decile = household.id, household.decile
            row.posyandu_id, row.desa_code = household.posyandu_id, household.desa_code
        row.detections += 1 if new_detection else 0
        row.severity = data.severity
        row.last_event_id = event_id
        row.updated_at = now()
        self.session.add(row)

    async def rematch(self, household: Household) -> int:
        """Decide again the open leads of a household just registered or assessed."""
        leads = (
            await self.session.exec(
                select(StuntingLead)
                .where(
                    StuntingLead.household_ref == household.household_ref,
                    StuntingLead.status == "open",
                )
                .with_for_update()
            )
        ).all()
        matched = 0
        for lead in leads:
            detection = StuntingDetected(
                episode_id=lead.stunting_episode_id,
                person_ref=lead.child_person_ref,
                household_ref=lead.household_ref,
                posyandu_id=lead.posyandu_id,
                desa_code=lead.desa_code,
                measurement_id=lead.measurement_id,
                measured_on=lead.detected_on,
                severity=lead.severity,
            )
            verdict = await self.detected(
                detection,
                lead.detected_on,
                f"lead:{lead.id}",
                new_detection=False,
                due_from=local_today(self.settings),
            )
            if verdict is None or verdict.decision != "unmatched":
                lead.status, lead.household_id = "matched", household.id
                lead.resolved_by, lead.resolved_at = "system:household-registered", now()
                self.session.add(lead)
                matched += 1
        return matched


class StuntingReactor:
    """The ``social.stunting-reaction`` consumer: health's stunting events."""

    def __init__(self, settings: SocialSettings) -> None:
        self.settings = settings
        self.outbox = Outbox(settings)

    def consumer(self) -> Consumer:
        handlers: dict[str, Handler] = {
            STUNTING_DETECTED: self.on_detected,
            STUNTING_RECOVERED: self.on_recovered,
        }
        return Consumer(name=STUNTING_CONSUMER, topics=[HEALTH_TOPIC], handlers=handlers)

    async def on_detected(self, session: AsyncSession, event: Envelope) -> None:
        data = StuntingDetected.model_validate(event.data)
        reaction = Reaction(session, self.outbox, self.settings)
        await reaction.detected(data, local_day(self.settings, event.time), event.id)

    async def on_recovered(self, session: AsyncSession, event: Envelope) -> None:
        """Note a recovery on the episode's case; Dinas Sosial still closes it themselves."""
        data = StuntingRecovered.model_validate(event.data)
        case = (
            await session.exec(
                select(PriorityCase)
                .where(PriorityCase.stunting_episode_id == data.episode_id)
                .with_for_update()
            )
        ).first()
        if case is None:
            return
        case.recovered_on = data.measured_on
        case.recovery_measurement_id = data.measurement_id
        haz = f" (HAZ {data.haz:.2f})" if data.haz is not None else ""
        case.recovery_note = f"Health reports recovery on {data.measured_on}{haz}."
        case.updated_at = now()
        session.add(case)
