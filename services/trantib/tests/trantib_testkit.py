"""Helpers the trantib tests share: a running service, producer stand-ins, shortcuts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from simpul_platform.auth import mint_token
from simpul_platform.events import Envelope
from simpul_platform.pseudonym import household_ref, person_ref
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.peers import Peer, RegistryPeer, until_replicated
from simpul_platform.testing.stack import TEST_REPORTER_KEY
from simpul_trantib.app import create_app
from simpul_trantib.events import TOPIC
from simpul_trantib.settings import TrantibSettings

RAPAK_LAMBUR = "64.02.06.2012"  # Tenggarong, Kutai Kartanegara
MANGKURAWANG = "64.02.06.2001"
TENGGARONG_KELURAHAN = "64.02.06.1001"
TENGGARONG = "64.02.06"


@dataclass
class Producers:
    """The registry, housing, social and education as trantib sees them: the platform's test
    peers."""

    registry: RegistryPeer
    housing: Peer
    social: Peer
    education: Peer

    @classmethod
    @asynccontextmanager
    async def running(cls, make_settings: Callable[..., Any]) -> AsyncIterator[Producers]:
        settings = make_settings(ServiceSettings, service_name="peer")
        async with (
            RegistryPeer.running(settings) as registry,
            Peer.running(settings, "housing") as housing,
            Peer.running(settings, "social") as social,
            Peer.running(settings, "education") as education,
        ):
            yield cls(registry, housing, social, education)


@dataclass
class Trantib:
    settings: TrantibSettings
    app: FastAPI
    client: httpx.AsyncClient
    producers: Producers

    def auth(self, roles: list[str], wilayah: list[str], sub: str = "user-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, sub, roles, wilayah)}"}

    @property
    def opd(self) -> dict[str, str]:
        return self.auth(["opd:trantib"], ["64.02"], sub="trantib-kukar")

    @property
    def satpolpp(self) -> dict[str, str]:
        return self.auth(["opd:trantib:satpolpp"], ["64.02"], sub="satpolpp-kukar")

    @property
    def damkar(self) -> dict[str, str]:
        return self.auth(["opd:trantib:damkar"], ["64.02"], sub="damkar-kukar")

    @property
    def bpbd(self) -> dict[str, str]:
        return self.auth(["opd:trantib:bpbd"], ["64.02"], sub="bpbd-kukar")

    @property
    def kader(self) -> dict[str, str]:
        return self.auth(["kader:trantib"], [RAPAK_LAMBUR], sub="kader-rapak")

    @property
    def linmas(self) -> dict[str, str]:
        return self.auth(["linmas"], [RAPAK_LAMBUR], sub="linmas-rapak")

    @property
    def dpmd(self) -> dict[str, str]:
        return self.auth(["dpmd"], ["64.02"], sub="dpmd-kukar")

    def household_ref(self, kk: str) -> str:
        return household_ref(self.settings.pseudonym_secret, kk)

    def person_ref(self, nik: str) -> str:
        return person_ref(self.settings.pseudonym_secret, nik)

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
async def start_trantib(
    make_settings: Callable[..., Any],
    database_url: str,
    producers: Producers,
    **overrides: Any,
) -> AsyncIterator[Trantib]:
    values = {"reporter_key": TEST_REPORTER_KEY, **overrides}
    settings = make_settings(TrantibSettings, database_url=database_url, **values)
    app = create_app(settings)
    producers.registry.answer(app)  # a replica miss is confirmed with it, as in production
    async with running_app(app) as client:
        yield Trantib(settings, app, client, producers)
