"""The batch path of a field's stunting reaction (``StuntingReaction.on_detected_batch``): a
run of a chunk's detections decided in a few statements instead of eight to ten per detection.

Same decisions as ``on_detected``, applied as if one after another in the run's order: one
query says which events were decided before (the decision row is unique per event id, so a
replay past the inbox changes nothing); the field's ``judge_many`` gathers the facts for the
whole run at once and applies the field's rule per detection; then the decisions, the
automatic referrals with their steps and the outbox events are written with one multi-row
statement each, built by the same code as the one-by-one path's (``decision_row``,
``opened``).

For a field that works on the household (``HouseholdReaction``): the run's stunted
households are locked in one statement (in key order) and refreshed in memory one detection
after another, so each sees the one before; the kept counts they change are dropped per
posyandu from the earliest day any of them changes (what the one-by-one drops, summed); the
field's records and the households' open referrals are read once, and a referral one
detection opens is open for the household's next detection in the run, as it would be in
the database. Nothing the reaction writes changes what the field's records say.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from sqlalchemy import Table, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.db import bulk_insert
from simpul_platform.events import Envelope, new_id
from simpul_platform.referrals import tables
from simpul_platform.stunting import OPEN, Detection, Verdict, recounted, refreshed
from simpul_platform.subscription import handling

if TYPE_CHECKING:
    from simpul_platform.stunting import HouseholdReaction, StuntingReaction

V = TypeVar("V", bound=Detection)


async def decide_run(
    reaction: StuntingReaction[V], session: AsyncSession, run: Sequence[tuple[V, Envelope]]
) -> None:
    """Decide the run's detections not decided before, and write what they decided."""
    fresh = await _undecided(reaction, session, run)
    if not fresh:
        return
    verdicts = await reaction.judge_many(session, fresh)
    decisions: list[dict[str, Any]] = []
    referrals: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    events: list[tuple[str, Envelope]] = []
    for (data, event), verdict in zip(fresh, verdicts, strict=True):
        decision_id, referral_id = new_id(), None
        if verdict.referral is not None:
            with handling(event):  # the referral's event continues the detection's trace
                opened = reaction.opened(
                    data, verdict.referral, decision_id, reaction.day_of(event)
                )
                envelope = reaction.outbox.envelope(opened.event, subject=opened.row["id"])
            referrals.append(opened.row)
            steps.extend(opened.steps)
            events.append((opened.event.topic, envelope))
            referral_id = str(opened.row["id"])
        decisions.append(reaction.decision_row(data, event, verdict, decision_id, referral_id))
    if referrals:  # JSON details: plain INSERTs (COPY cannot take them as the driver passes)
        await session.execute(insert(tables.referral), referrals)
        await session.execute(insert(tables.referral_history), steps)
    await reaction.outbox.add_many(session, events)
    table: Table = reaction.decisions.__table__  # type: ignore[attr-defined]
    await bulk_insert(session, table, decisions)


async def _undecided(
    reaction: StuntingReaction[V], session: AsyncSession, run: Sequence[tuple[V, Envelope]]
) -> list[tuple[V, Envelope]]:
    """The run's detections whose event has no decision row yet (the first of a repeat)."""
    model = reaction.decisions
    ids = sorted({event.id for _, event in run})
    query = select(col(model.event_id)).where(col(model.event_id).in_(ids))
    seen = set((await session.execute(query)).scalars())
    fresh: list[tuple[V, Envelope]] = []
    for data, event in run:
        if event.id not in seen:
            seen.add(event.id)
            fresh.append((data, event))
    return fresh


async def open_about(
    session: AsyncSession,
    field: str,
    reasons: Sequence[str],
    about: Literal["person_ref", "household_ref"],
    refs: Sequence[str],
) -> set[str]:
    """Which of the children or households (``about``) have an open referral to ``field`` for
    one of ``reasons``, from any field or rule (``referral_open`` for many)."""
    if not refs:
        return set()
    referral = tables.referral.c
    query = select(referral[about]).where(
        referral.direction == "incoming",
        referral.target_field == field,
        referral.reason_code.in_(reasons),
        referral[about].in_(sorted(set(refs))),
        referral.status.in_(OPEN),
    )
    return {str(ref) for ref in (await session.execute(query)).scalars()}


async def judge_households(
    reaction: HouseholdReaction[V, Any], session: AsyncSession, run: Sequence[tuple[V, Envelope]]
) -> list[Verdict]:
    """``HouseholdReaction.judge`` for a run, one after another."""
    refs = sorted({data.household_ref for data, _ in run if data.household_ref is not None})
    found: dict[str, Any] = {}
    opened: set[str] = set()
    if refs:
        await _record_stunted(reaction, session, refs, run)
        found = await reaction.find_many(session, refs)
        reasons = sorted(set(reaction.reasons.values()))
        opened = await open_about(session, reaction.field, reasons, "household_ref", refs)
    verdicts: list[Verdict] = []
    for data, _ in run:
        ref = data.household_ref
        if ref is None:
            verdicts.append(reaction.verdict(data, None, False))
            continue
        verdict = reaction.verdict(data, found.get(ref), ref in opened)
        if verdict.referral is not None:
            opened.add(ref)  # the household's next detection finds it open
        verdicts.append(verdict)
    return verdicts


async def _record_stunted(
    reaction: HouseholdReaction[V, Any],
    session: AsyncSession,
    refs: list[str],
    run: Sequence[tuple[V, Envelope]],
) -> None:
    """``record_stunted`` for the run's households: locked in key order, refreshed in order,
    their changed counts dropped before the rows are written."""
    model = reaction.stunted
    query = (
        select(model)
        .where(col(model.household_ref).in_(refs))
        .order_by(col(model.household_ref))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    rows = {row.household_ref: row for row in (await session.execute(query)).scalars()}
    since: dict[str, date] = {}
    for data, event in run:
        ref = data.household_ref
        if ref is None:
            continue
        posyandu, day = recounted(rows.get(ref), data)
        for posyandu_id in posyandu:
            since[posyandu_id] = min(day, since.get(posyandu_id, day))
        rows[ref] = refreshed(model, rows.get(ref), ref, data, event.id)
    by_day: dict[date, list[str]] = defaultdict(list)
    for posyandu_id, day in since.items():
        by_day[day].append(posyandu_id)
    for day in sorted(by_day):
        await reaction.counts_changed(session, sorted(by_day[day]), day)
    session.add_all(rows.values())
    await session.flush()  # a concurrent first detection of a household waits on its row
