"""Helpers the housing tests share: a running housing service, producer stand-ins, shortcuts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from simpul_housing.app import create_app
from simpul_housing.events import TOPIC
from simpul_housing.settings import HousingSettings
from simpul_platform.auth import mint_token
from simpul_platform.events import Envelope
from simpul_platform.pseudonym import household_ref
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.kafka_reader import read_envelopes
from simpul_platform.testing.peers import Peer, RegistryPeer, until_replicated

RAPAK_LAMBUR = "64.02.06.2012"  # Tenggarong, Kutai Kartanegara
MANGKURAWANG = "64.02.06.2001"
SEBULU = "64.02.07.2001"
TENGGARONG = "64.02.06"

# A survey of a house livable under both rule sets (5 occupants on 60 m²); tests change one
# field at a time.
LIVABLE_SURVEY: dict[str, Any] = {
    "kind": "initial",
    "surveyed_on": "2026-03-02",
    "pondasi": "batu_belah",
    "kolom": "beton",
    "balok": "beton",
    "rangka_atap": "kayu",
    "plafon": "triplek",
    "sloof": True,
    "atap": "genteng",
    "atap_condition": "layak",
    "dinding": "tembok",
    "dinding_condition": "layak",
    "lantai": "keramik",
    "lantai_condition": "layak",
    "jendela": True,
    "ventilasi": True,
    "floor_area_m2": 60.0,
    "occupants": 5,
    "water_source": "sumur_terlindung",
    "water_to_faeces_m": 12.0,
    "bathroom": "sendiri",
    "toilet_type": "leher_angsa",
    "faeces_disposal": "tangki_septik",
    "electricity": "pln_meteran",
    "kawasan": [],
}


@dataclass
class Producers:
    """The registry, health and social as housing sees them: the platform's test peers, on
    the test's topics."""

    registry: RegistryPeer
    health: Peer
    social: Peer

    @classmethod
    @asynccontextmanager
    async def running(cls, make_settings: Callable[..., Any]) -> AsyncIterator[Producers]:
        settings = make_settings(ServiceSettings, service_name="peer")
        async with (
            RegistryPeer.running(settings) as registry,
            Peer.running(settings, "health") as health,
            Peer.running(settings, "social") as social,
        ):
            yield cls(registry, health, social)

    async def posyandu(self, desa: str = RAPAK_LAMBUR, status: str = "registered") -> str:
        return await self.registry.register(desa, status=status)


@dataclass
class Housing:
    settings: HousingSettings
    app: FastAPI
    client: httpx.AsyncClient
    producers: Producers

    def auth(self, roles: list[str], wilayah: list[str], sub: str = "user-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, sub, roles, wilayah)}"}

    @property
    def opd(self) -> dict[str, str]:
        return self.auth(["opd:housing"], ["64.02"], sub="perkim-kukar")

    @property
    def kader(self) -> dict[str, str]:
        return self.auth(["kader:housing"], [RAPAK_LAMBUR], sub="kader-rapak")

    @property
    def dpmd(self) -> dict[str, str]:
        return self.auth(["dpmd"], ["64.02"], sub="dpmd-kukar")

    def household_ref(self, kk: str) -> str:
        return household_ref(self.settings.pseudonym_secret, kk)

    async def events(self, expected: int, event_type: str | None = None) -> list[Envelope]:
        """Housing's events on its topic (of one type when given), once ``expected`` of them
        have arrived."""
        topic = self.settings.topic(TOPIC)
        found = await read_envelopes(
            self.settings.kafka_bootstrap_servers, topic, expected=expected, timeout=30.0
        )
        return [e for e in found if event_type is None or e.type == event_type]

    async def known_posyandu(self, desa: str = RAPAK_LAMBUR, status: str = "registered") -> str:
        """A posyandu announced by the registry stand-in, once housing's replica has it."""
        posyandu_id = await self.producers.posyandu(desa, status)
        await until_replicated(self.app.state.db, posyandu_id)
        return posyandu_id

    async def house(
        self,
        posyandu_id: str,
        kks: tuple[str, ...] = ("6402061234560001",),
        headers: dict[str, str] | None = None,
        **given: Any,
    ) -> dict[str, Any]:
        """A house at the posyandu's desa with one household per KK."""
        body: dict[str, Any] = {
            "posyandu_id": posyandu_id,
            "rt": "003",
            "rw": "001",
            "tenure": "milik_sendiri",
            "land_status": "milik_sendiri",
            "occupants": 5,
            "households": [{"kk": kk} for kk in kks],
            **given,
        }
        response = await self.client.post("/v1/houses", json=body, headers=headers or self.opd)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data


@asynccontextmanager
async def start_housing(
    make_settings: Callable[..., Any],
    database_url: str,
    producers: Producers,
    **overrides: Any,
) -> AsyncIterator[Housing]:
    settings = make_settings(HousingSettings, database_url=database_url, **overrides)
    app = create_app(settings)
    producers.registry.answer(app)  # a replica miss is confirmed with it, as in production
    async with running_app(app) as client:
        yield Housing(settings, app, client, producers)
