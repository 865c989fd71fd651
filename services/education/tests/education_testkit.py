"""Helpers the education tests share: a running education service, producer stand-ins,
shortcuts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI

from simpul_education.app import create_app
from simpul_education.settings import EducationSettings
from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.peers import Peer, RegistryPeer, until_replicated

T = TypeVar("T")
RAPAK_LAMBUR = "64.02.06.2012"  # Tenggarong, Kutai Kartanegara
MANGKURAWANG = "64.02.06.2001"
SEBULU = "64.02.07.2001"
TENGGARONG = "64.02.06"


@dataclass
class Producers:
    """The registry and health as education sees them: the platform's test peers, on the
    test's topics."""

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

    async def posyandu(
        self, desa: str = RAPAK_LAMBUR, status: str = "registered", posyandu_id: str | None = None
    ) -> str:
        return await self.registry.register(desa, status=status, posyandu_id=posyandu_id)


@dataclass
class Education:
    settings: EducationSettings
    app: FastAPI
    client: httpx.AsyncClient
    producers: Producers

    def auth(self, roles: list[str], wilayah: list[str], sub: str = "user-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, sub, roles, wilayah)}"}

    @property
    def opd(self) -> dict[str, str]:
        return self.auth(["opd:education"], ["64.02"], sub="disdik-kukar")

    @property
    def kader(self) -> dict[str, str]:
        return self.auth(["kader:education"], [RAPAK_LAMBUR], sub="kader-rapak")

    @property
    def dpmd(self) -> dict[str, str]:
        return self.auth(["dpmd"], ["64.02"], sub="dpmd-kukar")

    async def known_posyandu(
        self, desa: str = RAPAK_LAMBUR, status: str = "registered", posyandu_id: str | None = None
    ) -> str:
        """A posyandu announced by the registry stand-in (with a new id unless given), once
        education's replica has it."""
        posyandu_id = await self.producers.posyandu(desa, status, posyandu_id)
        await until_replicated(self.app.state.db, posyandu_id)
        return posyandu_id

    async def child(
        self, posyandu_id: str, nik: str, headers: dict[str, str] | None = None, **given: Any
    ) -> dict[str, Any]:
        """A child registered by NIK (birth date and sex read from it unless given)."""
        day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
        sex = "P" if day > 40 else "L"
        body: dict[str, Any] = {
            "nik": nik,
            "kk": "6402061234560001",
            "name": "Anak",
            "sex": sex,
            "birth_date": f"20{year:02d}-{month:02d}-{day % 40:02d}",
            "posyandu_id": posyandu_id,
            **given,
        }
        response = await self.client.post("/v1/children", json=body, headers=headers or self.opd)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data


@asynccontextmanager
async def start_education(
    make_settings: Callable[..., Any],
    database_url: str,
    producers: Producers,
    **overrides: Any,
) -> AsyncIterator[Education]:
    settings = make_settings(EducationSettings, database_url=database_url, **overrides)
    app = create_app(settings)
    producers.registry.answer(app)  # a replica miss is confirmed with it, as in production
    async with running_app(app) as client:
        yield Education(settings, app, client, producers)
