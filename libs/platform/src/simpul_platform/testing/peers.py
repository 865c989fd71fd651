"""Stand-ins for other services in a service's tests, so that no service's tests import another.

A ``Peer`` is a producer as its consumer sees it: it sends an instance of the *consumer's own
view* of an event (a ``TolerantPayload`` subclass naming ``event_type`` and ``topic``) onto
that topic in the test's namespace, as the producer's relay would (real broker, CloudEvents
binary mode, keyed by posyandu id, wilayah extension), and can deliver the same event again.
That the view matches what the producer really sends is the workspace's contract test's job.

``RegistryPeer`` is the registry as a field service sees it: it announces posyandu with the
platform replica's own views (``replica.PosyanduRegistered`` …) and answers the registry's
``GET /v1/posyandu/{id}`` from what it announced, so a write sent right after an announcement
is confirmed as in production (``replica.confirm_with_registry``).

    async with RegistryPeer.running(settings) as registry:
        registry.answer(app)
        posyandu_id = await registry.register("64.02.06.2012")
        await until_replicated(app.state.db, posyandu_id)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI

from simpul_platform.db import Database
from simpul_platform.events import Envelope, EventPayload, TolerantPayload, new_id
from simpul_platform.kafka import ensure_topics, idempotent_producer, stop_within
from simpul_platform.outbox import Outbox
from simpul_platform.registry_client import RegistryClient
from simpul_platform.replica import (
    INACTIVE,
    PosyanduDeactivated,
    PosyanduFieldsChanged,
    PosyanduIdentity,
    PosyanduRegistered,
    PosyanduStatusChanged,
    PosyanduUpdated,
    get_posyandu,
)
from simpul_platform.settings import ServiceSettings


class Peer:
    """Another service publishing onto the test's topics: ``send`` a view, ``redeliver`` it."""

    def __init__(self, settings: ServiceSettings, producer: AIOKafkaProducer) -> None:
        self.settings = settings
        self.outbox = Outbox(settings)  # builds envelopes (source, trace) only; nothing is stored
        self.producer = producer
        self.topics: dict[str, str] = {}  # event id → the physical topic it went to
        self._created: set[str] = set()

    @classmethod
    @asynccontextmanager
    async def running(cls, settings: ServiceSettings, service: str) -> AsyncIterator[Peer]:
        """``service`` (its events' source) on ``settings``' broker and topic namespace (the
        service under test's)."""
        own = settings.model_copy(update={"service_name": service})
        producer = idempotent_producer(own, client_id=f"simpul-{service}-peer")
        await producer.start()
        try:
            yield cls(own, producer)
        finally:
            await stop_within(producer.stop(), f"the {service} peer's producer")

    async def send(
        self,
        view: TolerantPayload,
        *,
        posyandu_id: str | None = None,
        wilayah: str | None = None,
        subject: str | None = None,
        occurred_at: datetime | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Envelope:
        """Publish ``view`` as its producer's event and wait for the broker's ack.

        The key and wilayah are the view's posyandu and desa fields, as the producer's are
        (``EventPayload.key_field``, ``wilayah_field``), unless given: a view that does not
        read them still travels keyed as the producer keys it. ``extra`` adds fields the
        producer sends that this view does not read."""
        envelope = self.outbox.envelope_of(
            view.event_type,
            {**view.model_dump(mode="json"), **(extra or {})},
            posyandu_id=posyandu_id or _text(view, EventPayload.key_field),
            wilayah=wilayah or _text(view, EventPayload.wilayah_field),
            subject=subject,
            occurred_at=occurred_at,
        )
        self.topics[envelope.id] = self.settings.topic(view.topic)
        await self.redeliver(envelope)
        return envelope

    async def redeliver(self, envelope: Envelope) -> None:
        """Publish a sent ``envelope`` (again: same event id, as a relay that crashed before
        marking it sent) and wait for the broker's ack."""
        topic = self.topics[envelope.id]
        if topic not in self._created:
            await ensure_topics(self.settings, [topic])
            self._created.add(topic)
        key, value, headers = envelope.to_kafka()
        await self.producer.send_and_wait(topic, value=value, key=key, headers=headers)


def _text(view: TolerantPayload, name: str | None) -> str | None:
    value = getattr(view, name, None) if name else None
    return None if value is None else str(value)


class RegistryPeer:
    """The registry as a field service sees it: posyandu registered, changing, and read.

    Remembers each posyandu it announced, so a later event carries the whole identity (every
    registry posyandu event does) with the next version, and its read route answers with it."""

    def __init__(self, peer: Peer) -> None:
        self.peer = peer
        self.known: dict[str, PosyanduIdentity] = {}
        self.updated_at: dict[str, datetime] = {}
        self.asked: list[str] = []  # posyandu ids the read route was asked about

    @classmethod
    @asynccontextmanager
    async def running(cls, settings: ServiceSettings) -> AsyncIterator[RegistryPeer]:
        """A peer on ``settings``' broker and topic namespace (the service under test's)."""
        async with Peer.running(settings, "registry") as peer:
            yield cls(peer)

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
        identity = PosyanduRegistered(
            posyandu_id=pid,
            name=name or f"Posyandu {pid[:4]}",
            desa_code=desa_code,
            status=status,
            fields=list(fields),
            version=1,
        )
        await self._announce(identity, {}, occurred_at)
        return pid

    async def update(
        self, posyandu_id: str, *, occurred_at: datetime | None = None, **changes: Any
    ) -> None:
        """Announce an edit as the registry does: ``updated.v1`` naming the changed fields
        other than ``fields``, and ``fields_changed.v1`` when the SPM fields changed."""
        before = self.known[posyandu_id]
        after = self._next(before, PosyanduUpdated, changes)
        named = sorted(k for k in changes if k != "fields")
        if named:
            await self._announce(after, {"changed": named}, occurred_at)
        if after.fields != before.fields:
            added = [f for f in after.fields if f not in before.fields]
            removed = [f for f in before.fields if f not in after.fields]
            fields_changed = self._next(after, PosyanduFieldsChanged, {}, bump=False)
            await self._announce(fields_changed, {"added": added, "removed": removed}, occurred_at)

    async def change_status(
        self,
        posyandu_id: str,
        to_status: str,
        *,
        action: str | None = None,
        occurred_at: datetime | None = None,
        **changes: Any,
    ) -> Envelope:
        """Announce a lifecycle step (``registry.posyandu.status_changed.v1``), with any other
        ``changes`` it makes (a registration number); a step to inactive is also announced as
        ``registry.posyandu.deactivated.v1``, as the registry does. Returns the status
        change's envelope."""
        before = self.known[posyandu_id]
        after = self._next(before, PosyanduStatusChanged, {**changes, "status": to_status})
        step = {"action": action or to_status, "from_status": before.status, "to_status": to_status}
        changed = await self._announce(after, step, occurred_at)
        if to_status == INACTIVE:
            deactivated = self._next(after, PosyanduDeactivated, {}, bump=False)
            await self._announce(deactivated, {}, occurred_at)
        return changed

    async def deactivate(self, posyandu_id: str) -> Envelope:
        return await self.change_status(posyandu_id, INACTIVE, action="deactivate")

    def answer(self, app: FastAPI) -> None:
        """Point ``app``'s registry client at this peer's read route: the posyandu it
        announced, as last announced (the caller's wilayah is not checked), 404 for others."""
        settings = app.state.settings
        url = settings.registry_url or "http://registry"
        app.state.registry = RegistryClient(
            settings.model_copy(update={"registry_url": url}),
            transport=httpx.MockTransport(self._read),
        )

    def _read(self, request: httpx.Request) -> httpx.Response:
        posyandu_id = request.url.path.rsplit("/", 1)[-1]
        self.asked.append(posyandu_id)
        identity = self.known.get(posyandu_id)
        if identity is None:
            return httpx.Response(404, json={"status": 404, "title": "Not found"})
        record = identity.model_dump(mode="json", exclude={"posyandu_id"})
        updated_at = self.updated_at[posyandu_id].isoformat()
        return httpx.Response(200, json={"id": posyandu_id, **record, "updated_at": updated_at})

    def _next(
        self,
        identity: PosyanduIdentity,
        view: type[PosyanduIdentity],
        changes: Mapping[str, Any],
        *,
        bump: bool = True,
    ) -> PosyanduIdentity:
        """``identity`` with ``changes`` as the ``view`` event carries it (the next version,
        unless the event accompanies another of the same change)."""
        version = (identity.version or 0) + (1 if bump else 0)
        return view.model_validate({**identity.model_dump(), **changes, "version": version})

    async def _announce(
        self, identity: PosyanduIdentity, extra: dict[str, Any], occurred_at: datetime | None
    ) -> Envelope:
        pid = identity.posyandu_id
        self.known[pid] = identity
        envelope = await self.peer.send(identity, subject=pid, occurred_at=occurred_at, extra=extra)
        self.updated_at[pid] = envelope.time
        return envelope


async def until_replicated(
    db: Database,
    posyandu_id: str,
    done: Callable[[Any], bool] = lambda row: True,
    *,
    timeout: float = 60.0,
) -> Any:
    """Wait until the service's replica has a row of ``posyandu_id`` that satisfies ``done``;
    the row."""
    deadline = time.monotonic() + timeout
    row = None
    while time.monotonic() < deadline:
        async with db.sessions() as session:
            row = await get_posyandu(session, posyandu_id)
        if row is not None and done(row):
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"posyandu {posyandu_id} never reached the replica as expected: {row}")
