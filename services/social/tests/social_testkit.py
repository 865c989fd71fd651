"""Helpers the social tests share: a running social service, producer stand-ins, shortcuts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from pydantic import ValidationError

from simpul_platform.auth import mint_token
from simpul_platform.consumer import ConsumerRunner
from simpul_platform.events import Envelope, new_id
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.peers import Peer, RegistryPeer, until_replicated
from simpul_social.app import create_app
from simpul_social.consumers import STUNTING_CONSUMER
from simpul_social.events import StuntingDetected, StuntingRecovered
from simpul_social.settings import SocialSettings

T = TypeVar("T")
RAPAK_LAMBUR = "64.02.06.2012"  # Tenggarong, Kutai Kartanegara
MANGKURAWANG = "64.02.06.2001"
SEBULU = "64.02.07.2001"
TENGGARONG = "64.02.06"


@dataclass
class Producers:
    """The registry and health as social sees them: the platform's test peers, on the test's
    topics, sending social's own views of their events."""

    registry: RegistryPeer
    health: Peer

    @classmethod
    @asynccontextmanager
    async def running(cls, make_settings: Callable[..., Any]) -> AsyncIterator[Producers]:
        settings = make_settings(ServiceSettings, service_name="peer")
        async with (
            RegistryPeer.running(settings) as registry,
            Peer.running(settings, "health") as health,
        ):
            yield cls(registry, health)

    async def posyandu(self, desa: str = RAPAK_LAMBUR, status: str = "registered") -> str:
        return await self.registry.register(desa, status=status)

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
        """``health.stunting.detected.v1``; a desa code social cannot read is sent as given."""
        fields = {
            "episode_id": episode_id,
            "person_ref": child_ref,
            "household_ref": household_ref,
            "posyandu_id": posyandu_id,
            "desa_code": desa,
            "measurement_id": new_id(),
            "measured_on": date.today(),
            "haz": -3.2 if severity == "severely_stunted" else -2.33,
            "severity": severity,
            "escalated": escalated,
        }
        try:
            detected = StuntingDetected(**fields)
        except ValidationError:
            detected = StuntingDetected.model_construct(**fields)  # a poison event, on purpose
        return await self.health.send(detected, occurred_at=occurred_at)

    async def recovered(
        self,
        *,
        episode_id: str,
        posyandu_id: str,
        desa: str,
        measurement_id: str,
        measured_on: date,
        haz: float,
    ) -> Envelope:
        """``health.stunting.recovered.v1``, keyed by its posyandu as health keys it."""
        view = StuntingRecovered(
            episode_id=episode_id, measurement_id=measurement_id, measured_on=measured_on, haz=haz
        )
        return await self.health.send(view, posyandu_id=posyandu_id, wilayah=desa)

    async def redeliver(self, event: Envelope) -> None:
        """Deliver an already-sent health event again, as a relay that crashed before marking
        it sent."""
        await self.health.redeliver(event)


@dataclass
class Social:
    settings: SocialSettings
    app: FastAPI
    client: httpx.AsyncClient
    producers: Producers

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
        """A posyandu announced by the registry stand-in, once social's replica has it."""
        posyandu_id = await self.producers.posyandu(desa, status)
        await until_replicated(self.app.state.db, posyandu_id)
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
    make_settings: Callable[..., Any],
    database_url: str,
    producers: Producers,
    **overrides: Any,
) -> AsyncIterator[Social]:
    settings = make_settings(SocialSettings, database_url=database_url, **overrides)
    app = create_app(settings)
    producers.registry.answer(app)  # a replica miss is confirmed with it, as in production
    async with running_app(app) as client:
        yield Social(settings, app, client, producers)
