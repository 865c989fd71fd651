"""The stunting reaction for a run of detections at once: the consumer's batch path.

Same decisions as ``Reaction.detected`` (ops/reaction.py), made for a whole chunk with two
queries (which episodes are known; the chunk's households with their distributions in the
current periods) and one multi-row INSERT per table (cases, leads, reactions, outbox), instead
of a query and a few INSERTs per detection.

Only an episode's first detection, when social has not seen the episode before, goes the bulk
way: that is the common case, and its effects are plain INSERTs. A detection of an episode
already known (an escalation), or a repeat inside the chunk, goes through ``Reaction.detected``
afterwards, one by one in order, so it updates what the first one wrote exactly as it would in
a transaction of its own. Different episodes never touch each other's rows, so applying the
first detections before the repeats is the same as applying them in the chunk's order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, insert
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import local_day, now
from simpul_platform.consumer import Received, handling
from simpul_platform.db import bulk_insert
from simpul_platform.events import Envelope
from simpul_platform.outbox import Outbox
from simpul_platform.referrals.tables import referral, referral_history
from simpul_social.domain.periods import PERIOD_TYPES, PeriodType, current_periods
from simpul_social.domain.reaction import Verdict, decide
from simpul_social.events import TOPIC, StuntingDetected
from simpul_social.models import (
    Distribution,
    Household,
    PriorityCase,
    Program,
    StuntingLead,
    StuntingReaction,
)
from simpul_social.ops.reaction import Reaction, due_date
from simpul_social.ops.reaction_rows import (
    automatic_referral,
    case_row,
    lead_row,
    opened_event,
    reaction_row,
)
from simpul_social.settings import SocialSettings

_KNOWN = sa_select(col(StuntingReaction.stunting_episode_id)).where(
    col(StuntingReaction.stunting_episode_id).in_(bindparam("episodes", expanding=True))
)
# Plain columns, no ORM objects: building and tracking them cost more than the query.
_HOUSEHOLDS = (
    sa_select(
        col(Household.household_ref),
        col(Household.id),
        col(Household.decile),
        col(Household.posyandu_id),
        col(Household.desa_code),
        col(Distribution.program_code),
        col(Distribution.period),
        col(Program.period_type),
    )
    .outerjoin(
        Distribution,
        and_(
            col(Distribution.household_id) == col(Household.id),
            col(Distribution.period).in_(bindparam("periods", expanding=True)),
        ),
    )
    .outerjoin(Program, col(Program.code) == col(Distribution.program_code))
    .where(col(Household.household_ref).in_(bindparam("refs", expanding=True)))
)
_CASES: Table = PriorityCase.__table__  # type: ignore[attr-defined]
_LEADS: Table = StuntingLead.__table__  # type: ignore[attr-defined]
_REACTIONS: Table = StuntingReaction.__table__  # type: ignore[attr-defined]


@dataclass
class _Household:
    """What a decision needs of a household: the row, and its current-period distributions."""

    id: str
    household_ref: str
    decile: int | None
    posyandu_id: str
    desa_code: str
    distributions: list[tuple[str, str, str]] = field(default_factory=list)

    def receiving(self, day: date) -> set[str]:
        """Programs with a distribution in one of the program's current periods on ``day``."""
        return {
            code
            for code, period, period_type in self.distributions
            if period in current_periods(cast(PeriodType, period_type), day)
        }


@dataclass(frozen=True)
class _Detection:
    event: Envelope
    data: StuntingDetected
    day: date


@dataclass
class _Rows:
    """The chunk's INSERTs, one list per table."""

    cases: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    reactions: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[dict[str, Any]] = field(default_factory=list)
    referral_steps: list[dict[str, Any]] = field(default_factory=list)
    events: list[tuple[str, Envelope]] = field(default_factory=list)


class BatchReaction:
    """Decides a run of detections inside the consumer's chunk transaction."""

    def __init__(self, session: AsyncSession, outbox: Outbox, settings: SocialSettings) -> None:
        self.session, self.outbox, self.settings = session, outbox, settings
        self._due: dict[date, date] = {}

    async def detected(self, run: Sequence[Received[StuntingDetected]]) -> None:
        """Apply the detections as if one after another, in order."""
        detections = [_Detection(e, data, local_day(self.settings, e.time)) for data, e in run]
        first, repeats = await self._split(detections)
        await self._first_detections(first)
        for detection in repeats:  # after their episode's first detection is written
            with handling(detection.event):
                reaction = Reaction(self.session, self.outbox, self.settings)
                await reaction.detected(detection.data, detection.day, detection.event.id)
            await self.session.flush()
            self.session.expunge_all()  # the next one reads the rows afresh, as in its own

    async def _split(
        self, detections: list[_Detection]
    ) -> tuple[list[_Detection], list[_Detection]]:
        """First detections of episodes not seen before; the rest (in order)."""
        episodes = sorted({d.data.episode_id for d in detections})
        seen = set((await self.session.execute(_KNOWN, {"episodes": episodes})).scalars())
        first: list[_Detection] = []
        repeats: list[_Detection] = []
        for detection in detections:
            episode = detection.data.episode_id
            (repeats if episode in seen else first).append(detection)
            seen.add(episode)
        return first, repeats

    async def _first_detections(self, detections: list[_Detection]) -> None:
        if not detections:
            return
        households = await self._households(detections)
        moment = now()
        rows = _Rows()
        for detection in detections:
            ref = detection.data.household_ref
            household = households.get(ref) if ref is not None else None
            verdict = decide(
                household_known=household is not None,
                decile=household.decile if household else None,
                receiving_programs=household.receiving(detection.day) if household else (),
                max_priority_decile=self.settings.priority_max_decile,
            )
            with handling(detection.event):  # the opened event continues this one's trace
                self._rows(rows, detection, verdict, household, moment)
        await bulk_insert(self.session, _CASES, rows.cases)
        await bulk_insert(self.session, _LEADS, rows.leads)
        await bulk_insert(self.session, _REACTIONS, rows.reactions)
        # One referral per case opened, a few per chunk: plain INSERTs (COPY cannot take the
        # JSON details as the driver passes them).
        if rows.referrals:
            await self.session.execute(insert(referral), rows.referrals)
            await self.session.execute(insert(referral_history), rows.referral_steps)
        await self.outbox.add_many(self.session, rows.events)

    async def _households(self, detections: Iterable[_Detection]) -> dict[str, _Household]:
        """The detections' known households by ref, in one query."""
        refs = sorted({d.data.household_ref for d in detections if d.data.household_ref})
        if not refs:
            return {}
        days = {d.day for d in detections}
        periods = sorted(
            {label for day in days for kind in PERIOD_TYPES for label in current_periods(kind, day)}
        )
        result = await self.session.execute(_HOUSEHOLDS, {"refs": refs, "periods": periods})
        households: dict[str, _Household] = {}
        for ref, id_, decile, posyandu_id, desa_code, code, period, period_type in result:
            household = households.get(ref)
            if household is None:
                household = households[ref] = _Household(id_, ref, decile, posyandu_id, desa_code)
            if code is not None and period_type is not None:
                household.distributions.append((code, period, period_type))
        return households

    def _rows(
        self,
        rows: _Rows,
        detection: _Detection,
        verdict: Verdict,
        household: _Household | None,
        moment: datetime,
    ) -> None:
        """One detection's rows, as ``Reaction.detected`` writes them for a new episode."""
        if verdict.decision == "case_opened" and household is not None:
            self._case(rows, detection, household, moment)
        elif verdict.lead_reason is not None:
            reason, day = verdict.lead_reason, detection.day
            rows.leads.append(lead_row(detection.data, reason, household, day, moment))
        rows.reactions.append(
            reaction_row(
                detection.data, verdict, household, detection.day, detection.event.id, 1, moment
            )
        )

    def _case(
        self, rows: _Rows, detection: _Detection, household: _Household, moment: datetime
    ) -> None:
        data, day = detection.data, detection.day
        if day not in self._due:  # holidays are worked out per call: once per day is enough
            self._due[day] = due_date(self.settings, day)
        case = case_row(data, household, day, self._due[day], moment)
        rows.cases.append(case)
        envelope = self.outbox.envelope(opened_event(case), subject=case["id"])
        rows.events.append((TOPIC, envelope))
        answered = automatic_referral(case, day, moment)
        rows.referrals.append(answered.row)
        rows.referral_steps.extend(answered.steps)
        rows.events.append(
            (TOPIC, self.outbox.envelope(answered.event, subject=answered.row["id"]))
        )
