"""Helpers the public-works tests share: a running service, producer stand-ins, shortcuts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from simpul_platform.auth import mint_token
from simpul_platform.events import Envelope
from simpul_platform.pseudonym import household_ref
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.peers import Peer, RegistryPeer, until_replicated
from simpul_public_works.app import create_app
from simpul_public_works.events import TOPIC
from simpul_public_works.settings import PublicWorksSettings

RAPAK_LAMBUR = "64.02.06.2012"  # Tenggarong, Kutai Kartanegara
MANGKURAWANG = "64.02.06.2001"
TENGGARONG_KELURAHAN = "64.02.06.1001"

# A household on top of both ladders: piped water at home all day, E. coli negative, 80 l/p/d;
# its own goose-neck toilet into a septic tank emptied two years ago.
SAFE_SURVEY: dict[str, Any] = {
    "surveyed_on": "2026-03-02",
    "occupants": 5,
    "water_source": "ledeng",
    "on_premises": True,
    "available_24h": True,
    "litres_per_person_day": 80.0,
    "quality": [],
    "e_coli": "negatif",
    "toilet_facility": "sendiri",
    "toilet_type": "leher_angsa",
    "faeces_disposal": "tangki_septik",
    "septic_emptied_on": "2024-03-02",
}


@dataclass
class Producers:
    """The registry, health, housing and social as public works sees them: the platform's
    test peers."""

    registry: RegistryPeer
    health: Peer
    housing: Peer
    social: Peer

    @classmethod
    @asynccontextmanager
    async def running(cls, make_settings: Callable[..., Any]) -> AsyncIterator[Producers]:
        settings = make_settings(ServiceSettings, service_name="peer")
        async with (
            RegistryPeer.running(settings) as registry,
            Peer.running(settings, "health") as health,
            Peer.running(settings, "housing") as housing,
            Peer.running(settings, "social") as social,
        ):
            yield cls(registry, health, housing, social)


@dataclass
class PublicWorks:
    settings: PublicWorksSettings
    app: FastAPI
    client: httpx.AsyncClient
    producers: Producers

    def auth(self, roles: list[str], wilayah: list[str], sub: str = "user-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, sub, roles, wilayah)}"}

    @property
    def opd(self) -> dict[str, str]:
        return self.auth(["opd:public_works"], ["64.02"], sub="dpu-kukar")

    @property
    def kader(self) -> dict[str, str]:
        return self.auth(["kader:public_works"], [RAPAK_LAMBUR], sub="kader-rapak")

    def household_ref(self, kk: str) -> str:
        return household_ref(self.settings.pseudonym_secret, kk)

    async def known_posyandu(self, desa: str = RAPAK_LAMBUR) -> str:
        """A posyandu announced by the registry stand-in, once the replica has it."""
        posyandu_id = await self.producers.registry.register(desa, status="registered")
        await until_replicated(self.app.state.db, posyandu_id)
        return posyandu_id

    async def events(self, expected: int) -> list[Envelope]:
        topic = self.settings.topic(TOPIC)
        return await read_envelopes(
            self.settings.kafka_bootstrap_servers, topic, expected=expected, timeout=30.0
        )


@asynccontextmanager
async def start_public_works(
    make_settings: Callable[..., Any],
    database_url: str,
    producers: Producers,
    **overrides: Any,
) -> AsyncIterator[PublicWorks]:
    settings = make_settings(PublicWorksSettings, database_url=database_url, **overrides)
    app = create_app(settings)
    producers.registry.answer(app)  # a replica miss is confirmed with it, as in production
    async with running_app(app) as client:
        yield PublicWorks(settings, app, client, producers)


# --- infrastructure issues and public facilities -------------------------------------------

# A village road in Rapak Lambur; 0.0005° of latitude is ≈ 56 m, 0.001° ≈ 111 m.
ROAD: dict[str, Any] = {
    "kind": "jalan_desa",
    "severity": "sedang",
    "latitude": -0.4203,
    "longitude": 116.9871,
}
TAP: dict[str, Any] = {
    "kind": "kran_umum",
    "name": "Kran umum RT 04",
    "latitude": -0.4211,
    "longitude": 116.9865,
    "households_served": 24,
    "built_year": 2019,
}


def desa_headers(pw: PublicWorks, desa: str = RAPAK_LAMBUR) -> dict[str, str]:
    """The village government of a desa (triages, forwards and schedules its issues)."""
    return pw.auth(["desa"], [desa], sub="pemdes-rapak")


async def report_issue(
    pw: PublicWorks, posyandu: str, headers: dict[str, str] | None = None, **change: Any
) -> httpx.Response:
    body = {"posyandu_id": posyandu, **ROAD, "reported_on": "2026-03-02", **change}
    return await pw.client.post("/v1/infrastructure-issues", json=body, headers=headers or pw.kader)


async def issue_step(
    pw: PublicWorks, issue_id: str, step: str, headers: dict[str, str] | None = None, **body: Any
) -> httpx.Response:
    return await pw.client.post(
        f"/v1/infrastructure-issues/{issue_id}/{step}", json=body, headers=headers or pw.opd
    )


async def record_facility(
    pw: PublicWorks, posyandu: str, headers: dict[str, str] | None = None, **change: Any
) -> httpx.Response:
    body = {"posyandu_id": posyandu, **TAP, "recorded_on": "2026-01-05", **change}
    return await pw.client.post("/v1/facilities", json=body, headers=headers or pw.opd)
