"""Health's stunting events handled a chunk at a time, in one consumer transaction.

The events wait on the topic while social is stopped, so they arrive in one poll and the
runner applies them as one chunk: the handlers must see each other's uncommitted effects.
The batch handler (ops/reaction_batch.py) must decide exactly as the per-record one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from social_testkit import RAPAK_LAMBUR, Producers, Social, start_social
from sqlalchemy import Table, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import local_today
from simpul_platform.consumer import ConsumerRunner, Received, handling
from simpul_platform.events import Envelope, new_id
from simpul_platform.inbox import inbox_table
from simpul_platform.outbox import outbox_table
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.testing.polling import eventually
from simpul_social.consumers import STUNTING_CONSUMER
from simpul_social.events import StuntingDetected
from simpul_social.models import PriorityCase, StuntingLead, StuntingReaction
from simpul_social.ops.stunting_consumer import StuntingReactor

pytestmark = pytest.mark.integration
KK = "6402061234560009"
CHILD_NIK = "6402065503240009"


async def test_detection_escalation_repeat_and_recovery_in_one_chunk(
    make_settings: Any, postgres_url: str, producers: Producers
) -> None:
    episode, unknown_episode = new_id(), new_id()
    async with start_social(make_settings, postgres_url, producers) as social:
        secret = social.settings.pseudonym_secret
        posyandu_id = await social.known_posyandu()
        await social.household(posyandu_id, KK, decile=2)
    child = {
        "child_ref": person_ref(secret, CHILD_NIK),
        "household_ref": household_ref(secret, KK),
        "posyandu_id": posyandu_id,
        "desa": RAPAK_LAMBUR,
    }
    # On the topic, one partition (one posyandu), in this order: detected, the same event
    # again, escalated, a child whose household is unknown here, recovered.
    first = await producers.stunting(episode_id=episode, **child)
    await producers.redeliver(first)
    await producers.stunting(
        episode_id=episode, severity="severely_stunted", escalated=True, **child
    )
    await producers.stunting(
        episode_id=unknown_episode,
        child_ref="child-unknown",
        household_ref=household_ref(secret, "6402069999990009"),
        posyandu_id=posyandu_id,
        desa=RAPAK_LAMBUR,
    )
    await producers.recovered(
        episode_id=episode,
        posyandu_id=posyandu_id,
        desa=RAPAK_LAMBUR,
        measurement_id="m-recovered",
        measured_on=local_today(social.settings),
        haz=-1.7,
    )

    async with start_social(make_settings, postgres_url, producers) as social:
        runner = social.stunting_runner
        await eventually(lambda: _settled(runner))
        async with social.app.state.db.sessions() as session:
            cases = (await session.execute(select(PriorityCase))).scalars().all()
            reaction = await session.get(StuntingReaction, episode)
            leads = (await session.execute(select(StuntingLead))).scalars().all()
            claimed = list(
                (
                    await session.execute(
                        select(inbox_table.c.processed_at).where(
                            inbox_table.c.consumer == STUNTING_CONSUMER
                        )
                    )
                ).scalars()
            )
            opened = await session.execute(
                select(func.count())
                .select_from(outbox_table)
                .where(outbox_table.c.event_type == "social.priority_case.opened.v1")
            )
            opened_events = opened.scalar_one()
        today = local_today(social.settings)
        assert (runner.handled, runner.duplicates, runner.dead_lettered) == (4, 1, 0)
        assert len(cases) == 1
        case = cases[0]
        assert case.stunting_episode_id == episode and case.severity == "severely_stunted"
        assert case.escalated_on == today and case.recovery_measurement_id == "m-recovered"
        assert reaction is not None and reaction.detections == 2
        assert reaction.decision == "case_opened" and reaction.severity == "severely_stunted"
        assert [(lead.stunting_episode_id, lead.reason) for lead in leads] == [
            (unknown_episode, "household_unknown")
        ]
        assert opened_events == 1
        # The four events were claimed together: one chunk, one transaction.
        assert len(claimed) == 4 and len(set(claimed)) == 1


async def _settled(runner: ConsumerRunner) -> bool:
    return runner.handled + runner.duplicates >= 5


# --- the batch path (ops/reaction_batch.py) -------------------------------------------------

Snapshot = dict[str, list[tuple[Any, ...]]]
_SKIP = {"id", "decided_at", "updated_at", "opened_at", "created_at"}  # ids and clocks differ


def detection(
    episode: str, ref: str | None, posyandu_id: str, severity: str = "stunted"
) -> Envelope:
    """Health's event as the consumer receives it (no broker: the handlers are called)."""
    return Envelope(
        id=new_id(),
        type=StuntingDetected.event_type,
        source="/simpul/health",
        time=datetime.now(UTC),
        data={
            "episode_id": episode,
            "person_ref": f"child-{episode}",
            "household_ref": ref,
            "posyandu_id": posyandu_id,
            "desa_code": RAPAK_LAMBUR,
            "measurement_id": f"m-{episode}-{severity}",
            "measured_on": date.today().isoformat(),
            "severity": severity,
        },
        posyandu_id=posyandu_id,
        wilayah=RAPAK_LAMBUR,
    )


async def households_of_every_kind(social: Social, posyandu_id: str) -> list[str | None]:
    """Household refs for 30 detections: every decile, never assessed, receiving bansos this
    month, last month (still current) or two months ago (not), this quarter, unknown, none."""
    await social.program("SEMBAKO", "month", benefit="goods")
    await social.program("PKH", "quarter")
    today = local_today(social.settings)
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    two_ago = (today.replace(day=1) - timedelta(days=40)).strftime("%Y-%m")
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    aid = [("SEMBAKO", today.strftime("%Y-%m")), ("SEMBAKO", last_month), ("SEMBAKO", two_ago)]
    aid.append(("PKH", quarter))
    refs: list[str | None] = []
    for i in range(22):
        decile = None if i % 11 == 10 else i % 10 + 1
        household = await social.household(posyandu_id, f"64020612{i:08d}", decile=decile)
        refs.append(household["household_ref"])
        if i < len(aid):  # deciles 1–4, each with one kind of distribution
            program, period = aid[i]
            await distribute(social, household["id"], program, period)
    secret = social.settings.pseudonym_secret
    refs += [household_ref(secret, f"64020699{i:08d}") for i in range(6)]  # unknown here
    return [*refs, None, None]


async def distribute(social: Social, household_id: str, program: str, period: str) -> None:
    response = await social.client.post(
        "/v1/distributions",
        headers=social.opd,
        json={
            "household_id": household_id,
            "program_code": program,
            "period": period,
            "amount_idr": 200_000,
            "distributed_on": local_today(social.settings).isoformat(),
        },
    )
    assert response.status_code == 201, response.text


async def snapshot(session: AsyncSession) -> Snapshot:
    """What the reaction wrote, without ids and clocks, in a stable order."""
    tables = {"case": PriorityCase, "lead": StuntingLead, "reaction": StuntingReaction}
    taken: Snapshot = {}
    for name, model in tables.items():
        table: Table = model.__table__  # type: ignore[attr-defined]
        columns = [c for c in table.columns if c.name not in _SKIP]
        rows = await session.execute(select(*columns).order_by(table.c.stunting_episode_id))
        taken[name] = [tuple(row) for row in rows.all()]
    events = await session.execute(
        select(outbox_table.c.data, outbox_table.c.event_key, outbox_table.c.wilayah).where(
            outbox_table.c.event_type == "social.priority_case.opened.v1"
        )
    )
    taken["opened"] = sorted(
        (tuple(sorted((k, v) for k, v in json.loads(data).items() if k != "case_id")), key, w)
        for data, key, w in events.all()
    )
    return taken


async def applied(social: Social, apply: Callable[[AsyncSession], Awaitable[None]]) -> Snapshot:
    """The snapshot after ``apply`` in one transaction, which is then rolled back."""
    async with social.app.state.db.sessions() as session:
        await apply(session)
        await session.flush()
        session.expunge_all()
        taken = await snapshot(session)
        await session.rollback()
    return taken


async def test_a_chunk_for_many_households_decides_as_record_by_record(social: Social) -> None:
    posyandu_id = await social.known_posyandu()
    refs = await households_of_every_kind(social, posyandu_id)
    reactor = StuntingReactor(social.settings)
    events = [detection(f"ep-{i:02d}", ref, posyandu_id) for i, ref in enumerate(refs)]
    # Seen before this chunk (committed): escalated within it. Within it: ep-01 and ep-25
    # (a lead) detected again, escalated, and ep-01 a third time.
    known = detection("ep-known", refs[2], posyandu_id)
    async with social.app.state.db.transaction() as session:
        await reactor.on_detected(session, StuntingDetected.model_validate(known.data), known)
    events.insert(5, detection("ep-known", refs[2], posyandu_id, "severely_stunted"))
    events.insert(9, detection("ep-01", refs[1], posyandu_id, "severely_stunted"))
    events.append(detection("ep-01", refs[1], posyandu_id))
    events.append(detection("ep-25", refs[25], posyandu_id, "severely_stunted"))

    async def record_by_record(session: AsyncSession) -> None:
        for event in events:  # as the runner applies them: each one settled before the next
            with handling(event):
                await reactor.on_detected(
                    session, StuntingDetected.model_validate(event.data), event
                )
            await session.flush()
            session.expunge_all()

    async def as_one_batch(session: AsyncSession) -> None:
        run = [Received(StuntingDetected.model_validate(e.data), e) for e in events]
        await reactor.on_detected_batch(session, run)

    expected = await applied(social, record_by_record)
    assert await applied(social, as_one_batch) == expected
    # The chunk covers every decision, and the repeats updated their first rows.
    decisions = Counter(row[1] for row in expected["reaction"])
    assert set(decisions) == {"case_opened", "not_priority_decile", "receiving_bansos", "unmatched"}
    assert decisions["receiving_bansos"] == 3  # this month, last month, this quarter
    assert len(expected["case"]) == len(expected["opened"]) == decisions["case_opened"]
    by_episode = {row[0]: row for row in expected["reaction"]}
    columns = [c.name for c in StuntingReaction.__table__.columns if c.name not in _SKIP]  # type: ignore[attr-defined]
    detections, severity = columns.index("detections"), columns.index("severity")
    assert by_episode["ep-01"][detections] == 3 and by_episode["ep-01"][severity] == "stunted"
    assert by_episode["ep-known"][detections] == 2
    assert by_episode["ep-25"][severity] == "severely_stunted"


async def test_a_chunk_with_a_poison_detection_then_redelivered(
    make_settings: Any, postgres_url: str, producers: Producers
) -> None:
    async with start_social(make_settings, postgres_url, producers) as social:
        posyandu_id = await social.known_posyandu()
        refs = [
            (await social.household(posyandu_id, f"64020613{i:08d}", decile=i % 6 + 1))[
                "household_ref"
            ]
            for i in range(12)
        ]
    # While social is down, on one partition: twelve detections, the first episode again
    # (escalated) and one that can never be read (a bad desa code) in the middle of them.
    sent = []
    for i, ref in enumerate(refs):
        if i == 6:
            await producers.stunting(
                episode_id="ep-bad",
                child_ref="c-bad",
                household_ref=ref,
                posyandu_id=posyandu_id,
                desa="not-a-desa",
            )
        sent.append(
            await producers.stunting(
                episode_id=f"ep-{i}",
                child_ref=f"c-{i}",
                household_ref=ref,
                posyandu_id=posyandu_id,
                desa=RAPAK_LAMBUR,
            )
        )
    await producers.stunting(
        episode_id="ep-0",
        child_ref="c-0",
        household_ref=refs[0],
        posyandu_id=posyandu_id,
        desa=RAPAK_LAMBUR,
        severity="severely_stunted",
        escalated=True,
    )

    async with start_social(make_settings, postgres_url, producers) as social:
        runner = social.stunting_runner
        await eventually(lambda: _count(runner, 14))
        assert (runner.handled, runner.duplicates, runner.dead_lettered) == (13, 0, 1)
        async with social.app.state.db.sessions() as session:
            before = await snapshot(session)
        # Deciles 1–4 open a case (the first one escalated once), 5–6 are recorded only.
        assert len(before["case"]) == len(before["opened"]) == 8
        assert "ep-bad" not in {row[0] for row in before["reaction"]}
        reaction = next(row for row in before["reaction"] if row[0] == "ep-0")
        assert "severely_stunted" in reaction and len(before["reaction"]) == 12

        # Delivered again (a relay that crashed before marking them sent): no effect at all.
        for event in sent[:5]:
            await producers.redeliver(event)
        await eventually(lambda: _count(runner, 19))
        async with social.app.state.db.sessions() as session:
            assert await snapshot(session) == before
        assert (runner.handled, runner.duplicates, runner.dead_lettered) == (13, 5, 1)


async def _count(runner: ConsumerRunner, total: int) -> bool:
    return runner.handled + runner.duplicates + runner.dead_lettered >= total
