"""Stand-ins for other services in a service's tests, so that no service's tests import another.

``RegistryPeer`` publishes the registry's posyandu events onto the registry topic of the
test's namespace (real broker, CloudEvents binary mode), shaped as the platform replica reads
them (``replica.PosyanduIdentity``), so a field service's posyandu replica fills as it would
from the real registry.

    async with RegistryPeer.running(settings) as registry:
        posyandu_id = await registry.register("64.02.06.2012")
        await until_replicated(app.state.db, posyandu_id)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaProducer

from simpul_platform.db import Database
from simpul_platform.events import Envelope, new_id
from simpul_platform.kafka import ensure_topics, idempotent_producer
from simpul_platform.outbox import Outbox
from simpul_platform.replica import (
    INACTIVE,
    REGISTRY_TOPIC,
    PosyanduDeactivated,
    PosyanduIdentity,
    PosyanduRegistered,
    PosyanduStatusChanged,
    get_posyandu,
)
from simpul_platform.settings import ServiceSettings


class RegistryPeer:
    """The registry as a field service's replica sees it: posyandu registered, changing status.

    Remembers each posyandu it announced, so a later status change carries the whole identity
    (every registry posyandu event does) with the next version."""

    def __init__(self, settings: ServiceSettings, producer: AIOKafkaProducer) -> None:
        self.settings = settings.model_copy(update={"service_name": "registry"})
        self.topic = self.settings.topic(REGISTRY_TOPIC)
        self.outbox = Outbox(self.settings)  # builds envelopes only; nothing is stored
        self.producer = producer
        self.known: dict[str, PosyanduIdentity] = {}

    @classmethod
    @asynccontextmanager
    async def running(cls, settings: ServiceSettings) -> AsyncIterator[RegistryPeer]:
        """A peer on ``settings``' broker and topic namespace (the service under test's)."""
        await ensure_topics(settings, [settings.topic(REGISTRY_TOPIC)])
        producer = idempotent_producer(settings, client_id="simpul-registry-peer")
        await producer.start()
        try:
            yield cls(settings, producer)
        finally:
            await producer.stop()

    async def register(
        self,
        desa_code: str,
        *,
        name: str | None = None,
        status: str = "registered",
        fields: tuple[str, ...] = ("health", "social"),
        posyandu_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> str:
        """Announce a new posyandu (``registry.posyandu.registered.v1``); its id."""
        pid = posyandu_id or new_id()
        identity = PosyanduIdentity(
            posyandu_id=pid,
            name=name or f"Posyandu {pid[:4]}",
            desa_code=desa_code,
            status=status,
            fields=list(fields),
            version=1,
        )
        self.known[pid] = identity
        await self.send(self._envelope(PosyanduRegistered.event_type, identity, {}, occurred_at))
        return pid

    async def change_status(
        self,
        posyandu_id: str,
        to_status: str,
        *,
        action: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        """Announce a lifecycle step (``registry.posyandu.status_changed.v1``); a step to
        inactive is also announced as ``registry.posyandu.deactivated.v1``, as the registry
        does. Returns the status change's envelope."""
        before = self.known[posyandu_id]
        after = before.model_copy(
            update={"status": to_status, "version": (before.version or 0) + 1}
        )
        self.known[posyandu_id] = after
        step = {
            "action": action or to_status,
            "from_status": before.status,
            "to_status": to_status,
        }
        changed = self._envelope(PosyanduStatusChanged.event_type, after, step, occurred_at)
        await self.send(changed)
        if to_status == INACTIVE:
            await self.send(self._envelope(PosyanduDeactivated.event_type, after, {}, occurred_at))
        return changed

    async def deactivate(self, posyandu_id: str) -> Envelope:
        return await self.change_status(posyandu_id, INACTIVE, action="deactivate")

    async def send(self, envelope: Envelope) -> None:
        """Publish ``envelope`` (again, for a redelivery) and wait for the broker's ack."""
        key, value, headers = envelope.to_kafka()
        await self.producer.send_and_wait(self.topic, value=value, key=key, headers=headers)

    def _envelope(
        self,
        event_type: str,
        identity: PosyanduIdentity,
        extra: dict[str, Any],
        occurred_at: datetime | None,
    ) -> Envelope:
        return self.outbox.envelope_of(
            event_type,
            {**identity.model_dump(mode="json"), **extra},
            posyandu_id=identity.posyandu_id,
            wilayah=identity.desa_code,
            subject=identity.posyandu_id,
            occurred_at=occurred_at,
        )


async def until_replicated(
    db: Database,
    posyandu_id: str,
    done: Callable[[Any], bool] = lambda row: row is not None,
    *,
    timeout: float = 60.0,
) -> None:
    """Wait until the service's replica row of ``posyandu_id`` satisfies ``done``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with db.sessions() as session:
            if done(await get_posyandu(session, posyandu_id)):
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"posyandu {posyandu_id} never reached the replica as expected")
