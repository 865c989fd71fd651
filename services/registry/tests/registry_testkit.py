"""Helpers the registry's tests share: a running registry and a few request shortcuts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_registry.app import create_app
from simpul_registry.settings import RegistrySettings

TENGGARONG_DESA = "64.02.06.2012"  # Rapak Lambur, Tenggarong, Kutai Kartanegara
TENGGARONG = "64.02.06"
SEBULU_DESA = "64.02.07.2001"
DOCUMENTS = {
    "sk_tp_number": "141/12/SK-TP/2025", "sk_tp_date": "2025-08-01",
    "sk_kepengurusan_number": "141/13/SK-KP/2025", "sk_kepengurusan_date": "2025-08-02",
    "rekap_number": "REKAP/2025/06", "rekap_date": "2025-08-05",
}


@dataclass
class Registry:
    settings: RegistrySettings
    app: FastAPI
    client: httpx.AsyncClient

    def auth(self, roles: list[str], wilayah: list[str], sub: str = "user-1") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_token(self.settings, sub, roles, wilayah)}"}

    @property
    def dpmd(self) -> dict[str, str]:
        return self.auth(["dpmd"], ["64.02"], sub="dpmd-kukar")

    @property
    def tp(self) -> dict[str, str]:
        return self.auth(["tp:kecamatan"], [TENGGARONG], sub="tp-tenggarong")

    async def create(self, name: str = "Posyandu Mawar", desa: str = TENGGARONG_DESA,
                     fields: list[str] | None = None) -> dict[str, Any]:
        body = {"name": name, "desa_code": desa, "fields": fields or ["health", "education"]}
        response = await self.client.post("/v1/posyandu", json=body, headers=self.dpmd)
        assert response.status_code == 201, response.text
        data: dict[str, Any] = response.json()
        return data

    async def act(self, posyandu_id: str, action: str, body: dict[str, Any] | None = None,
                  headers: dict[str, str] | None = None) -> httpx.Response:
        if headers is None:
            headers = self.tp if action in ("verify", "return") else self.dpmd
        return await self.client.post(f"/v1/posyandu/{posyandu_id}/{action}", json=body or {},
                                      headers=headers)


@asynccontextmanager
async def start_registry(
    make_settings: Callable[..., Any], database_url: str, **overrides: Any
) -> AsyncIterator[Registry]:
    settings = make_settings(RegistrySettings, database_url=database_url, **overrides)
    app = create_app(settings)
    async with running_app(app) as client:
        yield Registry(settings, app, client)
