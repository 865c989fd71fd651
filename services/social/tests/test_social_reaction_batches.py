"""Several of health's stunting events for one episode, handled in one consumer transaction.

The events wait on the topic while social is stopped, so they arrive in one poll and the
runner applies them as one chunk: the handlers must see each other's uncommitted effects.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from social_testkit import RAPAK_LAMBUR, Peer, Social, StuntingRecovered, eventually, start_social
from sqlalchemy import func, select

from simpul_platform.consumer import ConsumerRunner, inbox_table
from simpul_platform.outbox import outbox_table
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_social.events import STUNTING_CONSUMER
from simpul_social.models import PriorityCase, StuntingLead, StuntingReaction
from simpul_social.ops.common import local_today

pytestmark = pytest.mark.integration
KK = "6402061234560009"
CHILD_NIK = "6402065503240009"


async def _all_sent(peer: Peer) -> bool:
    async with peer.db.sessions() as session:
        unsent = await session.execute(
            select(func.count()).select_from(outbox_table).where(outbox_table.c.sent_at.is_(None))
        )
        return unsent.scalar_one() == 0


def _runner(social: Social) -> ConsumerRunner:
    runners: list[ConsumerRunner] = social.app.state.runners
    return next(r for r in runners if r.consumer.name == STUNTING_CONSUMER)


async def test_detection_escalation_repeat_and_recovery_in_one_chunk(
    make_settings: Any, postgres_url: str, peer: Peer
) -> None:
    episode, unknown_episode = str(uuid.uuid4()), str(uuid.uuid4())
    async with start_social(make_settings, postgres_url, peer) as social:
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
    first = await peer.stunting(episode_id=episode, **child)
    await eventually(lambda: _all_sent(peer))
    await peer.redeliver(first.id)
    await eventually(lambda: _all_sent(peer))
    await peer.stunting(episode_id=episode, severity="severely_stunted", escalated=True, **child)
    await peer.stunting(
        episode_id=unknown_episode,
        child_ref="child-unknown",
        household_ref=household_ref(secret, "6402069999990009"),
        posyandu_id=posyandu_id,
        desa=RAPAK_LAMBUR,
    )
    await peer.publish(
        peer.health,
        StuntingRecovered(
            episode_id=episode,
            person_ref=child["child_ref"],
            household_ref=child["household_ref"],
            posyandu_id=posyandu_id,
            desa_code=RAPAK_LAMBUR,
            measurement_id="m-recovered",
            measured_on=local_today(social.settings),
            haz=-1.7,
        ),
        posyandu_id,
        RAPAK_LAMBUR,
    )
    await eventually(lambda: _all_sent(peer))

    async with start_social(make_settings, postgres_url, peer) as social:
        runner = _runner(social)
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
