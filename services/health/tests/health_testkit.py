"""What the health service's integration tests share: a registry stand-in feeding the posyandu
replica over the real broker, a running health service, tokens and shortcuts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from simpul_health.app import create_app
from simpul_health.settings import HealthSettings
from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.peers import Peer, RegistryPeer, until_replicated

# The deployment's date in the tests' (default) time zone: what "in the future" is judged by.
TODAY = datetime.now(ZoneInfo(HealthSettings.model_fields["local_timezone"].default)).date()
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
    registry: RegistryPeer

    def auth(self, roles: list[str], wilayah: list[str], sub: str = "kader-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, sub, roles, wilayah)}"}

    @property
    def kader(self) -> dict[str, str]:
        return self.auth(["kader:health"], [DESA], sub="kader-rapak-lambur")

    @property
    def opd(self) -> dict[str, str]:
        return self.auth(["opd:health"], ["64.02"], sub="dinkes-kukar")

    @property
    def dpmd(self) -> dict[str, str]:
        return self.auth(["dpmd"], ["64.02"], sub="dpmd-kukar")

    def peer(self, service: str) -> AbstractAsyncContextManager[Peer]:
        """``service`` publishing onto this health's topics as its relay would (its own views
        of its events, on the real broker): what health's consumers read from it."""
        return Peer.running(self.settings, service)

    async def posyandu(self, name: str = "Posyandu Mawar", desa: str = DESA) -> str:
        """A posyandu the registry stand-in announced, once the replica has it."""
        posyandu_id = await self.registry.register(desa, name=name, fields=("health",))
        await self.wait_replica(posyandu_id, lambda row: True)
        return posyandu_id

    async def wait_replica(self, posyandu_id: str, done: Callable[[Any], bool]) -> None:
        await until_replicated(self.app.state.db, posyandu_id, done)

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
    make_settings: Callable[..., Any], health_url: str, **overrides: Any
) -> AsyncIterator[Health]:
    settings = make_settings(HealthSettings, database_url=health_url, **overrides)
    app = create_app(settings)
    async with RegistryPeer.running(settings) as registry:
        registry.answer(app)  # a replica miss is confirmed with the stand-in, as in production
        async with running_app(app) as client:
            yield Health(settings, app, client, registry)


def replica_rows(posyandu: dict[str, str], at: datetime) -> list[dict[str, Any]]:
    """Replica rows of registered health posyandu (desa → id), as the registry's events leave
    them: what a test inserting records straight into the tables puts beside them (kept
    counts are summed over the replica's posyandu)."""
    return [
        {
            "posyandu_id": posyandu_id,
            "name": f"Posyandu {posyandu_id}",
            "desa_code": desa,
            "kecamatan_code": desa[:8],
            "kabupaten_code": desa[:5],
            "status": "registered",
            "fields": "health",
            "last_event_at": at,
            "last_event_id": f"seed-{posyandu_id}",
            "updated_at": at,
        }
        for desa, posyandu_id in posyandu.items()
    ]
