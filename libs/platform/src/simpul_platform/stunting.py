"""A field's reaction to health's stunting detections (``health.stunting.detected.v1``): the
columns of the tables a reacting field keeps, and the mechanism that decides each detection
once and opens the field's automatic referral.

A reacting field (education's PAUD, housing's RTLH, public works' WASH) declares:

- its decision table, one row per event: ``HouseholdDecisionColumns`` when the household is
  what it works on, ``StuntingDecisionColumns`` plus its own ``person_ref``, ``household_ref``
  and ``decision`` when it is the child; with its ``__tablename__`` and the columns saying
  what it read;
- when it keeps the stunted households, ``class StuntedHousehold(StuntedHouseholdColumns,
  <its base>, table=True)`` with ``__tablename__ = "stunted_household"`` and its desa index;
- its handler, a ``StuntingReaction`` naming its field, actor and decision table, whose
  ``judge`` gathers the facts, applies the field's pure rule and says what to write; for a
  field that works on the household, a ``HouseholdReaction``, which gathers them itself and
  asks the field only for its record of the household, its rule and what to keep and say.

Exactly once, three ways: the consumer's inbox skips a redelivered event; the decision row
(unique per event id) makes the same event a no-op even past the inbox (a replay after its rows
were pruned, a second consumer); and the household's ``stunted_household`` row, locked by
``record_stunted`` before the rule is applied, makes two detections of one household decide
one after the other, so the second sees the first's open referral (``referral_open``).

The referral is the field's own rule, already accepted with the decision as its case
(``referrals.automatic``): the field's kader resolves it.

A consumer's batch handler, ``on_detected_batch``, decides a run of detections in a few
statements (``stunting_batch``) with the same rule and rows, given the field's ``judge_many``
(a ``HouseholdReaction`` has it, reading the field's records with ``find_many``).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from sqlalchemy import exists, insert
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import local_day, now
from simpul_platform.events import Envelope, new_id
from simpul_platform.outbox import Outbox
from simpul_platform.referrals import tables
from simpul_platform.referrals.automatic import Automatic, automatic
from simpul_platform.referrals.rows import due_date
from simpul_platform.settings import ServiceSettings

SOURCE = "health"
OPEN = ("requested", "accepted")


class StuntedHouseholdColumns(SQLModel):
    """A household with a child health found stunted, by pseudonym; its posyandu is the
    latest detection's."""

    household_ref: str = Field(primary_key=True, max_length=64)
    posyandu_id: str = Field(max_length=36)
    desa_code: str = Field(max_length=13)
    first_detected_on: date
    last_detected_on: date
    last_event_id: str = Field(max_length=64)


class StuntingDecisionColumns(SQLModel):
    """What a field decided for one stunting detection (one row per event, unique by its id):
    the row makes a redelivered or replayed event change nothing."""

    id: str = Field(primary_key=True, max_length=36)
    event_id: str = Field(max_length=64, unique=True)
    episode_id: str = Field(max_length=64, index=True)
    posyandu_id: str = Field(max_length=36, index=True)
    desa_code: str = Field(max_length=13)
    detected_on: date
    referral_id: str | None = Field(default=None, max_length=36)
    decided_at: datetime


class HouseholdDecisionColumns(StuntingDecisionColumns):
    """A decision of a field that works on the child's household: found by household."""

    person_ref: str = Field(max_length=64)
    household_ref: str | None = Field(default=None, max_length=64, index=True)
    decision: str = Field(max_length=24, index=True)


class Detection(Protocol):
    """What a consumer's view of ``health.stunting.detected.v1`` carries for the reaction (its
    fields, as the view declares them)."""

    episode_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    measured_on: date


class Located(Protocol):
    """Where a referral is opened: the posyandu whose kader works on it (a row of the field's
    that has them, or the detection)."""

    posyandu_id: str
    desa_code: str


@dataclass(frozen=True)
class Referral:
    """The automatic referral a decision opens: its reason, what it says beyond it (no
    personal data), its subject and where."""

    reason: str
    details: dict[str, Any]
    person_ref: str | None = None  # None: the household is the subject, not the child
    at: Located | None = None  # None: the child's posyandu, where it was measured


@dataclass(frozen=True)
class Verdict:
    """What the field's rule made of one detection: the decision, the referral it opens if
    any, and the decision row's columns of the field's own."""

    decision: str
    referral: Referral | None = None
    columns: dict[str, Any] = dataclasses.field(default_factory=dict)


V = TypeVar("V", bound=Detection)
S = TypeVar("S", bound=StuntedHouseholdColumns)
# (session, posyandu ids, first day): drop the counts a changed stunted household changes
CountsChanged = Callable[[AsyncSession, list[str], date], Awaitable[None]]


class StuntingReaction(ABC, Generic[V]):
    """The handler of a field's stunting consumer: ``on_detected`` decides each event once,
    with the field's ``judge``."""

    field: ClassVar[str]  # the target field, as the referral catalogues name it
    actor: ClassVar[str]  # who the decisions and referrals are attributed to
    decisions: ClassVar[type[StuntingDecisionColumns]]  # the field's decision table

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.outbox = Outbox(settings)

    @abstractmethod
    async def judge(self, session: AsyncSession, data: V, event: Envelope) -> Verdict:
        """Gather the facts (recording what the field keeps of the detection) and apply the
        field's rule."""

    def day_of(self, event: Envelope) -> date:
        """The local day the detection reached the field: its decision's and referral's date."""
        return local_day(self.settings, event.time)

    async def on_detected(self, session: AsyncSession, data: V, event: Envelope) -> None:
        if await decided(session, self.decisions, event.id):
            return
        verdict = await self.judge(session, data, event)
        decision_id, referral_id = new_id(), None
        detected_on = self.day_of(event)
        if verdict.referral is not None:
            opened = self.opened(data, verdict.referral, decision_id, detected_on)
            await session.execute(insert(tables.referral), opened.row)
            await session.execute(insert(tables.referral_history), opened.steps)
            await self.outbox.add(session, opened.event, subject=opened.row["id"])
            referral_id = str(opened.row["id"])
        values = self.decision_row(data, event, verdict, decision_id, referral_id)
        session.add(self.decisions(**values))

    async def judge_many(
        self, session: AsyncSession, run: Sequence[tuple[V, Envelope]]
    ) -> list[Verdict]:
        """``judge`` for a run of detections not decided yet, as if one after another in
        order, with the facts gathered for all of them at once (the batch path; a field
        without it subscribes ``on_detected`` alone)."""
        raise NotImplementedError(f"{type(self).__name__} has no batch path")

    async def on_detected_batch(
        self, session: AsyncSession, run: Sequence[tuple[V, Envelope]]
    ) -> None:
        """``on_detected`` for a run of detections, in a few statements (stunting_batch.py)."""
        from simpul_platform import stunting_batch  # it builds on this module

        await stunting_batch.decide_run(self, session, run)

    def decision_row(
        self,
        data: V,
        event: Envelope,
        verdict: Verdict,
        decision_id: str,
        referral_id: str | None,
    ) -> dict[str, Any]:
        """The decision table's row of one detection (both paths write it)."""
        values = {
            "id": decision_id,
            "event_id": event.id,
            "episode_id": data.episode_id,
            "person_ref": data.person_ref,
            "household_ref": data.household_ref,
            "posyandu_id": data.posyandu_id,
            "desa_code": data.desa_code,
            "detected_on": self.day_of(event),
            "decision": verdict.decision,
            "referral_id": referral_id,
            "decided_at": now(),
        }
        return values | verdict.columns

    async def referral_open(
        self,
        session: AsyncSession,
        reasons: Sequence[str],
        *,
        person_ref: str | None = None,
        household_ref: str | None = None,
    ) -> bool:
        """An open referral to this field for one of ``reasons`` about the child or the
        household (whichever is given), from any field or rule."""
        about = [tables.referral.c.person_ref == person_ref] if person_ref is not None else []
        if household_ref is not None:
            about.append(tables.referral.c.household_ref == household_ref)
        if not about:
            raise ValueError("an open referral is looked up by its child or household")
        query = select(
            exists().where(
                tables.referral.c.direction == "incoming",
                tables.referral.c.target_field == self.field,
                tables.referral.c.reason_code.in_(reasons),
                *about,
                tables.referral.c.status.in_(OPEN),
            )
        )
        return bool((await session.execute(query)).scalar())

    def opened(self, data: V, wanted: Referral, decision_id: str, detected_on: date) -> Automatic:
        """Health's detection, referred to the field by its own rule and accepted with this
        decision as its case: the rows and event to write (both paths write them)."""
        at: Located = data if wanted.at is None else wanted.at
        opened = automatic(
            field=self.field,
            source_field=SOURCE,
            reason_code=wanted.reason,
            posyandu_id=at.posyandu_id,
            desa_code=at.desa_code,
            person_ref=wanted.person_ref,
            household_ref=data.household_ref,
            requested_on=detected_on,
            accepted_on=detected_on,
            due_on=due_date(self.settings, self.field, detected_on),
            case_ref=decision_id,
            actor=self.actor,
            moment=now(),
        )
        return dataclasses.replace(opened, row=opened.row | {"details": wanted.details})


F = TypeVar("F", bound=Located)


class HouseholdReaction(StuntingReaction[V], Generic[V, F]):
    """A reaction of a field that works on the child's household: the household recorded as
    stunted (locked), the field's record of it read, its open referral of the rule's reasons
    looked up; then the field's rule. A referral is opened where the field's record of the
    household is (its kader works there), else at the child's posyandu."""

    stunted: ClassVar[type[StuntedHouseholdColumns]]  # the field's stunted_household table
    # The referring decisions → their referral reasons (keyed by the field's Decision type).
    reasons: ClassVar[Mapping[Any, str]]

    @abstractmethod
    async def find(self, session: AsyncSession, household_ref: str) -> F | None:
        """The field's record of the household (None: it does not know it)."""

    @abstractmethod
    def rule(self, data: V, found: F | None, referral_open: bool) -> str:
        """The field's pure rule: the decision."""

    @abstractmethod
    def columns(self, found: F | None) -> dict[str, Any]:
        """What the decision row keeps of the field's record."""

    @abstractmethod
    def details(self, decision: str, found: F | None) -> dict[str, Any]:
        """What the decision's referral says beyond its reason (no personal data)."""

    async def counts_changed(self, session: AsyncSession, posyandu: list[str], since: date) -> None:
        """Drop the kept counts a stunted household changes (none by default)."""

    async def find_many(self, session: AsyncSession, household_refs: list[str]) -> dict[str, F]:
        """``find`` for many households (sorted) at once; a field overrides it with one query."""
        found = {ref: await self.find(session, ref) for ref in household_refs}
        return {ref: record for ref, record in found.items() if record is not None}

    async def judge_many(
        self, session: AsyncSession, run: Sequence[tuple[V, Envelope]]
    ) -> list[Verdict]:
        from simpul_platform import stunting_batch  # it builds on this module

        return await stunting_batch.judge_households(self, session, run)

    def verdict(self, data: V, found: F | None, is_open: bool) -> Verdict:
        """The field's rule applied, and what the decision writes (both paths)."""
        decision = self.rule(data, found, is_open)
        columns = self.columns(found)
        reason = self.reasons.get(decision)
        if reason is None:
            return Verdict(decision, columns=columns)
        return Verdict(decision, Referral(reason, self.details(decision, found), at=found), columns)

    async def judge(self, session: AsyncSession, data: V, event: Envelope) -> Verdict:
        found, is_open = None, False
        if data.household_ref is not None:
            await record_stunted(
                session,
                self.stunted,
                data.household_ref,
                data,
                event.id,
                counts_changed=self.counts_changed,
            )
            found = await self.find(session, data.household_ref)
            reasons = sorted(set(self.reasons.values()))
            is_open = await self.referral_open(session, reasons, household_ref=data.household_ref)
        return self.verdict(data, found, is_open)


async def decided(
    session: AsyncSession, model: type[StuntingDecisionColumns], event_id: str
) -> bool:
    """Whether the event was decided before (its row is there)."""
    seen = select(col(model.id)).where(col(model.event_id) == event_id)
    return (await session.execute(seen)).first() is not None


async def record_stunted(
    session: AsyncSession,
    model: type[S],
    household_ref: str,
    data: Detection,
    event_id: str,
    *,
    counts_changed: CountsChanged | None = None,
) -> S:
    """Record (or refresh) the household as having a stunted child, and hold its row locked
    for the rest of the transaction. ``counts_changed`` drops the kept counts it changes
    (``recounted``), before the row is written."""
    row = await session.get(model, household_ref, with_for_update=True)
    if counts_changed is not None:
        await counts_changed(session, *recounted(row, data))
    row = refreshed(model, row, household_ref, data, event_id)
    session.add(row)
    await session.flush()  # a concurrent first detection of the household waits on this row
    return row


def recounted(row: StuntedHouseholdColumns | None, data: Detection) -> tuple[list[str], date]:
    """The posyandu whose counts a detection changes, and from which day: a household is
    counted from its first detection at its posyandu, so that one's months (and, when the
    household is now reported at another posyandu, the old one's) change."""
    if row is None:
        return [data.posyandu_id], data.measured_on
    moved = [row.posyandu_id] if row.posyandu_id != data.posyandu_id else []
    return [data.posyandu_id, *moved], min(row.first_detected_on, data.measured_on)


def refreshed(
    model: type[S], row: S | None, household_ref: str, data: Detection, event_id: str
) -> S:
    """The household's row with the detection applied: the latest detection's posyandu (an
    older one arriving late moves nothing), the earliest detection's day."""
    if row is None:
        return model(
            household_ref=household_ref,
            posyandu_id=data.posyandu_id,
            desa_code=data.desa_code,
            first_detected_on=data.measured_on,
            last_detected_on=data.measured_on,
            last_event_id=event_id,
        )
    if data.measured_on >= row.last_detected_on:
        row.posyandu_id, row.desa_code = data.posyandu_id, data.desa_code
        row.last_detected_on = data.measured_on
    row.first_detected_on = min(row.first_detected_on, data.measured_on)
    row.last_event_id = event_id
    return row
