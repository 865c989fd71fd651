"""Helpers the social tests share: a running social service, producer stand-ins, shortcuts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from sqlalchemy import update

from simpul_platform.auth import mint_token
from simpul_platform.consumer import ConsumerRunner
from simpul_platform.db import Database
from simpul_platform.events import Envelope, EventPayload, new_id
from simpul_platform.outbox import Outbox, outbox_table
from simpul_platform.relay import OutboxRelay
from simpul_platform.replica import get_posyandu
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.registry_stub import RegistryStub
from simpul_social.app import create_app
from simpul_social.consumers import STUNTING_CONSUMER
from simpul_social.settings import SocialSettings

T = TypeVar("T")
RAPAK_LAMBUR = "64.02.06.2012"  # Tenggarong, Kutai Kartanegara
MANGKURAWANG = "64.02.06.2001"
SEBULU = "64.02.07.2001"
TENGGARONG = "64.02.06"


class PosyanduRegistered(EventPayload):
    """Shaped like the registry's event (simpul_registry.events.PosyanduRegistered)."""

    event_type = "registry.posyandu.registered.v1"
    topic = "simpul.registry.v1"
    posyandu_id: str
    name: str
    desa_code: str
    status: str
    fields: list[str]
    registration_number: str | None = None
    version: int = 1


class PosyanduStatusChanged(PosyanduRegistered):
    event_type = "registry.posyandu.status_changed.v1"
    action: str
    from_status: str
    to_status: str


class StuntingDetected(EventPayload):
    """The health contract for ``health.stunting.detected.v1`` (issue 5)."""

    event_type = "health.stunting.detected.v1"
    topic = "simpul.health.v1"
    episode_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    measurement_id: str
    measured_on: date
    age_days: int
    sex: str
    haz: float
    severity: str
    escalated: bool


class StuntingRecovered(EventPayload):
    event_type = "health.stunting.recovered.v1"
    topic = "simpul.health.v1"
    episode_id: str
    person_ref: str
    household_ref: str | None
    posyandu_id: str
    desa_code: str
    measurement_id: str
    measured_on: date
    haz: float


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 30.0) -> T:
    """Poll ``check`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout}s: {check}")
        await asyncio.sleep(0.1)


@dataclass
class Peer:
    """Registry and health stand-ins: their events go through a real outbox and relay."""

    settings: ServiceSettings
    db: Database
    registry: Outbox
    health: Outbox

    @classmethod
    @asynccontextmanager
    async def running(cls, make_settings: Callable[..., Any], url: str) -> AsyncIterator[Peer]:
        settings = make_settings(ServiceSettings, database_url=url, service_name="peer")
        db = Database(url)
        await db.create_all()
        registry = Outbox(settings.model_copy(update={"service_name": "registry"}))
        health = Outbox(settings.model_copy(update={"service_name": "health"}))
        relay = asyncio.create_task(OutboxRelay(db, settings).run())
        try:
            yield cls(settings, db, registry, health)
        finally:
            relay.cancel()
            await asyncio.gather(relay, return_exceptions=True)
            await db.dispose()

    async def publish(
        self,
        outbox: Outbox,
        payload: EventPayload,
        posyandu_id: str,
        wilayah: str,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        async with self.db.transaction() as session:
            return await outbox.add(
                session, payload, posyandu_id=posyandu_id, wilayah=wilayah, occurred_at=occurred_at
            )

    async def redeliver(self, event_id: str) -> None:
        """Publish an already-sent event again, as a relay that crashed before marking it."""
        async with self.db.transaction() as session:
            await session.execute(
                update(outbox_table).where(outbox_table.c.event_id == event_id).values(sent_at=None)
            )

    async def posyandu(self, desa: str = RAPAK_LAMBUR, status: str = "registered") -> str:
        posyandu_id = new_id()
        await self.publish(
            self.registry,
            PosyanduRegistered(
                posyandu_id=posyandu_id,
                name=f"Posyandu {posyandu_id[:4]}",
                desa_code=desa,
                status=status,
                fields=["health", "social"],
            ),
            posyandu_id,
            desa,
        )
        return posyandu_id

    async def stunting(
        self,
        *,
        episode_id: str,
        child_ref: str,
        household_ref: str | None,
        posyandu_id: str,
        desa: str,
        severity: str = "stunted",
        escalated: bool = False,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        return await self.publish(
            self.health,
            StuntingDetected(
                episode_id=episode_id,
                person_ref=child_ref,
                household_ref=household_ref,
                posyandu_id=posyandu_id,
                desa_code=desa,
                measurement_id=new_id(),
                measured_on=date.today(),
                age_days=731,
                sex="L",
                haz=-3.2 if severity == "severely_stunted" else -2.33,
                severity=severity,
                escalated=escalated,
            ),
            posyandu_id,
            desa,
            occurred_at=occurred_at,
        )


@dataclass
class Social:
    settings: SocialSettings
    app: FastAPI
    client: httpx.AsyncClient
    peer: Peer

    def auth(self, roles: list[str], wilayah: list[str], sub: str = "user-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, sub, roles, wilayah)}"}

    @property
    def stunting_runner(self) -> ConsumerRunner:
        """The runner of the stunting reaction, for tests that drive or inspect it."""
        runners: list[ConsumerRunner] = self.app.state.runners
        return next(r for r in runners if r.consumer.name == STUNTING_CONSUMER)

    @property
    def opd(self) -> dict[str, str]:
        return self.auth(["opd:social"], ["64.02"], sub="dinsos-kukar")

    @property
    def kader(self) -> dict[str, str]:
        return self.auth(["kader:social"], [RAPAK_LAMBUR], sub="kader-rapak")

    @property
    def dpmd(self) -> dict[str, str]:
        return self.auth(["dpmd"], ["64.02"], sub="dpmd-kukar")

    async def known_posyandu(self, desa: str = RAPAK_LAMBUR, status: str = "registered") -> str:
        """A posyandu published by the registry stand-in, once social's replica has it."""
        posyandu_id = await self.peer.posyandu(desa, status)

        async def replicated() -> bool:
            async with self.app.state.db.sessions() as session:
                return await get_posyandu(session, posyandu_id) is not None

        await eventually(replicated)
        return posyandu_id

    async def household(
        self,
        posyandu_id: str,
        kk: str,
        decile: int | None = None,
        members: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kk": kk,
            "posyandu_id": posyandu_id,
            "address": "Jl. Mawar 1",
            "members": members or [],
        }
        if decile is not None:
            body["decile"] = {"decile": decile, "source": "DTSEN", "assessed_on": "2026-01-15"}
        response = await self.client.post("/v1/households", json=body, headers=headers or self.opd)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    async def program(self, code: str, period_type: str, benefit: str = "cash") -> None:
        response = await self.client.post(
            "/v1/programs",
            headers=self.opd,
            json={
                "code": code,
                "name": f"Program {code}",
                "period_type": period_type,
                "benefit": benefit,
            },
        )
        assert response.status_code == 201, response.text


@asynccontextmanager
async def start_social(
    make_settings: Callable[..., Any], database_url: str, peer: Peer, **overrides: Any
) -> AsyncIterator[Social]:
    settings = make_settings(SocialSettings, database_url=database_url, **overrides)
    app = create_app(settings)
    RegistryStub().install(app)  # the peer's posyandu reach social by events only
    async with running_app(app) as client:
        yield Social(settings, app, client, peer)
