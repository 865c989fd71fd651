"""What the health service's integration tests share: the real registry feeding the posyandu
replica over the real broker, a running health service, tokens and shortcuts."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI

from simpul_health.app import create_app
from simpul_health.settings import HealthSettings
from simpul_platform.auth import mint_token
from simpul_platform.replica import get_posyandu
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.registry_stub import answer_from
from simpul_registry.app import create_app as create_registry_app
from simpul_registry.settings import RegistrySettings

DESA = "64.02.06.2012"  # Rapak Lambur, Tenggarong, Kutai Kartanegara
OTHER_DESA = "64.02.07.2001"


def nik(birth: date, sex: str, serial: int, region: str = "640206") -> str:
    """A structurally valid NIK: region, DDMMYY (day + 40 for women), sequence."""
    day = birth.day + (40 if sex == "F" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


@dataclass
class Health:
    settings: HealthSettings
    app: FastAPI
    client: httpx.AsyncClient
    registry: httpx.AsyncClient
    registry_settings: RegistrySettings

    def auth(self, roles: list[str], wilayah: list[str], sub: str = "kader-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, sub, roles, wilayah)}"}

    @property
    def kader(self) -> dict[str, str]:
        return self.auth(["kader:health"], [DESA], sub="kader-rapak-lambur")

    @property
    def opd(self) -> dict[str, str]:
        return self.auth(["opd:health"], ["64.02"], sub="dinkes-kukar")

    async def posyandu(self, name: str = "Posyandu Mawar", desa: str = DESA) -> str:
        """Register a posyandu in the real registry and wait until the replica has it."""
        token = mint_token(self.registry_settings, "dpmd", ["dpmd"], ["64"])
        dpmd = {"Authorization": f"Bearer {token}"}
        body = {"name": name, "desa_code": desa, "fields": ["health"]}
        response = await self.registry.post("/v1/posyandu", json=body, headers=dpmd)
        assert response.status_code == 201, response.text
        posyandu_id: str = response.json()["id"]
        await self.wait_replica(posyandu_id, lambda row: row is not None)
        return posyandu_id

    async def wait_replica(self, posyandu_id: str, done: Callable[[Any], bool]) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            async with self.app.state.db.sessions() as session:
                if done(await get_posyandu(session, posyandu_id)):
                    return
            await asyncio.sleep(0.1)
        raise AssertionError(f"posyandu {posyandu_id} never reached the replica")

    async def target(
        self,
        posyandu_id: str,
        birth: date,
        sex: str = "M",
        serial: int = 1,
        kk: str | None = "6402060101200003",
        name: str = "Anak",
    ) -> dict[str, Any]:
        body = {
            "nik": nik(birth, sex, serial),
            "kk": kk,
            "name": name,
            "sex": sex,
            "birth_date": birth.isoformat(),
            "posyandu_id": posyandu_id,
        }
        response = await self.client.post("/v1/targets", json=body, headers=self.kader)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data


@asynccontextmanager
async def start_health(
    make_settings: Callable[..., Any], postgres_server: Any, health_url: str, **overrides: Any
) -> AsyncIterator[Health]:
    registry_db = f"r_{uuid.uuid4().hex[:12]}"
    registry_url = postgres_server.create_database(registry_db)
    try:
        registry_settings = make_settings(
            RegistrySettings, database_url=registry_url, consumers_enabled=False
        )
        settings = make_settings(HealthSettings, database_url=health_url, **overrides)
        registry_app = create_registry_app(registry_settings)
        app = create_app(settings)
        answer_from(app, httpx.ASGITransport(app=registry_app))
        async with running_app(registry_app) as registry, running_app(app) as client:
            yield Health(settings, app, client, registry, registry_settings)
    finally:
        postgres_server.drop_database(registry_db)
