"""The posyandu replica fed by the real registry service over the real broker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from social_testkit import RAPAK_LAMBUR, Social, eventually

from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_registry import app as registry_app
from simpul_registry import settings as registry_settings

pytestmark = pytest.mark.integration


async def test_posyandu_registered_in_the_registry_accepts_households(
    social: Social, make_settings: Any, make_database: Callable[[str], str]
) -> None:
    url = make_database("r")
    settings = make_settings(registry_settings.RegistrySettings, database_url=url)
    async with running_app(registry_app.create_app(settings)) as registry:
        token = mint_token(settings, "dpmd-kukar", ["dpmd"], ["64.02"])
        created = await registry.post(
            "/v1/posyandu",
            headers={"Authorization": f"Bearer {token}"},
            json={
                "name": "Posyandu Melati",
                "desa_code": RAPAK_LAMBUR,
                "fields": ["health", "social"],
            },
        )
        assert created.status_code == 201, created.text
        posyandu_id = created.json()["id"]

        async def accepted() -> dict[str, Any] | None:
            response = await social.client.post(
                "/v1/households",
                headers=social.opd,
                json={"kk": "6402061234560001", "posyandu_id": posyandu_id, "address": "x"},
            )
            return response.json() if response.status_code == 201 else None

        household = await eventually(accepted)
        assert household["desa_code"] == RAPAK_LAMBUR
