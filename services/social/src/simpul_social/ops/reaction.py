"""The stunting reaction: health's detections in, priority cases and leads out.

Exactly once per stunting episode: the inbox makes a redelivered event a no-op, and the unique
``stunting_episode_id`` on priority_case, stunting_lead and stunting_reaction makes a second
detection of the same episode (an escalation, say) update the first instead of adding to it.
A lead is decided again when its household is registered or assessed later (``rematch``).
The consumer decides a chunk's new episodes in bulk (ops/reaction_batch.py), with these same
rules; ``Reaction`` stays the reference and handles everything else.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import Table, and_, bindparam, exists, insert, literal
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import local_today, now
from simpul_platform.outbox import Outbox
from simpul_platform.referrals.tables import referral, referral_history
from simpul_platform.workdays import due_after
from simpul_social.domain.periods import PERIOD_TYPES, PeriodType, current_periods
from simpul_social.domain.reaction import Verdict, decide
from simpul_social.events import StuntingDetected
from simpul_social.models import (
    Distribution,
    Household,
    PriorityCase,
    Program,
    StuntingLead,
    StuntingReaction,
)
from simpul_social.ops.reaction_rows import (
    automatic_referral,
    case_row,
    lead_row,
    opened_event,
    reaction_row,
)
from simpul_social.settings import SocialSettings


def due_date(settings: SocialSettings, detected_on: date) -> date:
    """``priority_due_working_days`` working days after detection (weekends, holidays skipped)."""
    return due_after(settings, detected_on, settings.priority_due_working_days)


# Built once: composing a statement costs more CPU than running it, and a consumer runs these
# for every detection. Values travel as bind parameters.
_REACTION = (
    select(StuntingReaction)
    .where(col(StuntingReaction.stunting_episode_id) == bindparam("episode_id"))
    .with_for_update()
)
_CASE = (
    select(PriorityCase)
    .where(col(PriorityCase.stunting_episode_id) == bindparam("episode_id"))
    .with_for_update()
)
# What a decision needs, in one round trip and without locks: whether the episode was seen
# before, the household, and its distributions in the candidate current periods. Driven by a
# one-row subquery so that an unknown household still gives a row.
_ONE = sa_select(literal(1).label("one")).subquery("one")
_FACTS = (
    sa_select(
        exists()
        .where(col(StuntingReaction.stunting_episode_id) == bindparam("episode_id"))
        .label("known"),
        Household,
        col(Distribution.program_code),
        col(Distribution.period),
        col(Program.period_type),
    )
    .select_from(_ONE)
    .outerjoin(Household, col(Household.household_ref) == bindparam("household_ref"))
    .outerjoin(
        Distribution,
        and_(
            col(Distribution.household_id) == col(Household.id),
            col(Distribution.period).in_(bindparam("periods", expanding=True)),
        ),
    )
    .outerjoin(Program, col(Program.code) == col(Distribution.program_code))
)
_CASE_TABLE: Table = PriorityCase.__table__  # type: ignore[attr-defined]
_REACTION_TABLE: Table = StuntingReaction.__table__  # type: ignore[attr-defined]
_INSERT_CASE = insert(_CASE_TABLE)
_INSERT_REACTION = insert(_REACTION_TABLE)


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
        known, household, receiving = await self._facts(data, detected_on)
        reaction = case = None
        if known:  # seen before: lock what this decision may change
            episode = {"episode_id": data.episode_id}
            reaction = (await self.session.exec(_REACTION, params=episode)).first()
            case = (await self.session.exec(_CASE, params=episode)).first()
        # A new episode has no row to lock; should another transaction add the episode's row
        # meanwhile, the unique episode ids fail this one, and its retry finds the row.
        if case is not None:  # the same episode again (escalated): update, never a second case
            if case.severity != data.severity:
                case.severity = data.severity
                case.escalated_on = case.escalated_on or detected_on
            case.updated_at = now()
            self.session.add(case)
            await self._remember(reaction, data, detected_on, event_id, None, None, new_detection)
            return None
        verdict = decide(
            household_known=household is not None,
            decile=household.decile if household else None,
            receiving_programs=receiving,
            max_priority_decile=self.settings.priority_max_decile,
        )
        if verdict.decision == "case_opened" and household is not None:
            await self._open_case(data, household, detected_on, due_from or detected_on)
        elif verdict.lead_reason is not None:
            await self._lead(data, verdict, household, detected_on, known=known)
        await self._remember(
            reaction, data, detected_on, event_id, verdict, household, new_detection
        )
        return verdict

    async def _facts(
        self, data: StuntingDetected, day: date
    ) -> tuple[bool, Household | None, set[str]]:
        """Whether the episode is known; the household; the bansos programs it receives in a
        current period (a distribution in one of the program's current periods)."""
        periods = sorted({label for kind in PERIOD_TYPES for label in current_periods(kind, day)})
        params = {
            "episode_id": data.episode_id,
            "household_ref": data.household_ref,
            "periods": periods,
        }
        rows = (await self.session.execute(_FACTS, params)).all()
        receiving = {
            code
            for _, _, code, period, period_type in rows
            if code is not None
            and period_type is not None
            and period in current_periods(cast(PeriodType, period_type), day)
        }
        return bool(rows[0][0]), rows[0][1], receiving

    async def _open_case(
        self, data: StuntingDetected, household: Household, detected_on: date, due_from: date
    ) -> None:
        moment = now()
        due_on = due_date(self.settings, due_from)
        case = case_row(data, household, detected_on, due_on, moment)
        # A plain INSERT (no ORM object to build and flush, a third of the handler's CPU): the
        # unique episode id is checked here, in this transaction.
        await self.session.execute(_INSERT_CASE, case)
        await self.outbox.add(self.session, opened_event(case), subject=case["id"])
        answered = automatic_referral(case, due_from, moment)
        await self.session.execute(insert(referral), answered.row)
        await self.session.execute(insert(referral_history), answered.steps)
        await self.outbox.add(self.session, answered.event, subject=answered.row["id"])

    async def _lead(
        self,
        data: StuntingDetected,
        verdict: Verdict,
        household: Household | None,
        detected_on: date,
        *,
        known: bool = True,
    ) -> None:
        lead = None
        if known:  # a lead only exists for an episode seen before
            query = select(StuntingLead).where(StuntingLead.stunting_episode_id == data.episode_id)
            lead = (await self.session.exec(query)).first()
        if lead is not None:
            lead.severity = data.severity
            self.session.add(lead)
            return
        assert verdict.lead_reason is not None
        row = lead_row(data, verdict.lead_reason, household, detected_on, now())
        self.session.add(StuntingLead(**row))

    async def _remember(
        self,
        row: StuntingReaction | None,
        data: StuntingDetected,
        detected_on: date,
        event_id: str,
        verdict: Verdict | None,
        household: Household | None,
        new_detection: bool,
    ) -> None:
        """Keep the latest decision per episode (and how many detections it has seen).

        ``row`` is the episode's row, already read and locked by ``detected``."""
        if row is None:
            assert verdict is not None
            await self._first_decision(
                data, detected_on, event_id, verdict, household, new_detection
            )
            return
        if verdict is not None and row.decision != "case_opened":
            row.decision, row.reason, row.decided_at = verdict.decision, verdict.reason, now()
        if household is not None:
            row.household_id, row.decile = household.id, household.decile
            row.posyandu_id, row.desa_code = household.posyandu_id, household.desa_code
        row.detections += 1 if new_detection else 0
        row.severity = data.severity
        row.last_event_id = event_id
        row.updated_at = now()
        self.session.add(row)

    async def _first_decision(
        self,
        data: StuntingDetected,
        detected_on: date,
        event_id: str,
        verdict: Verdict,
        household: Household | None,
        new_detection: bool,
    ) -> None:
        detections = 1 if new_detection else 0
        row = reaction_row(data, verdict, household, detected_on, event_id, detections, now())
        await self.session.execute(_INSERT_REACTION, row)

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
