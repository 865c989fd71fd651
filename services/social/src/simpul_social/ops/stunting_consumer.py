"""The ``social.stunting-reaction`` consumer: health's stunting events in.

A chunk's detections go through the batch handler (ops/reaction_batch.py: one query for their
households, multi-row INSERTs); the per-record handler is what a failed batch falls back to,
and what the runner uses for a lone detection.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.clock import local_day, now
from simpul_platform.consumer import Received
from simpul_platform.events import Envelope
from simpul_platform.outbox import Outbox
from simpul_social.events import StuntingDetected, StuntingRecovered
from simpul_social.models import PriorityCase
from simpul_social.ops.reaction import Reaction
from simpul_social.ops.reaction_batch import BatchReaction
from simpul_social.settings import SocialSettings


class StuntingReactor:
    """The handlers of the ``social.stunting-reaction`` consumer (consumers.py)."""

    def __init__(self, settings: SocialSettings) -> None:
        self.settings = settings
        self.outbox = Outbox(settings)

    async def on_detected(
        self, session: AsyncSession, data: StuntingDetected, event: Envelope
    ) -> None:
        reaction = Reaction(session, self.outbox, self.settings)
        await reaction.detected(data, local_day(self.settings, event.time), event.id)

    async def on_detected_batch(
        self, session: AsyncSession, run: Sequence[Received[StuntingDetected]]
    ) -> None:
        await BatchReaction(session, self.outbox, self.settings).detected(run)

    async def on_recovered(
        self, session: AsyncSession, data: StuntingRecovered, event: Envelope
    ) -> None:
        """Note a recovery on the episode's case; Dinas Sosial still closes it themselves."""
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
