"""Smoke test on SQLite, the quick-start database: migrations, a write, aggregates."""

from __future__ import annotations

from typing import Any

import pytest

from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_social.app import create_app
from simpul_social.settings import SocialSettings

pytestmark = pytest.mark.integration


async def test_social_runs_on_sqlite(make_settings: Any, sqlite_url: str) -> None:
    settings = make_settings(
        SocialSettings, database_url=sqlite_url, consumers_enabled=False, relay_enabled=False
    )
    headers = {"Authorization": f"Bearer {mint_token(settings, 'd', ['opd:social'], ['64'])}"}
    async with running_app(create_app(settings)) as client:
        assert (await client.get("/readyz")).json()["database"] == "ok"
        program = {"code": "PKH", "name": "PKH", "period_type": "quarter", "benefit": "cash"}
        assert (await client.post("/v1/programs", json=program, headers=headers)).status_code == 201
        assert (await client.post("/v1/programs", json=program, headers=headers)).status_code == 409
        summary = await client.get("/v1/summary", params={"period": "2026-Q4"}, headers=headers)
        assert summary.status_code == 200 and summary.json()["households"] == 0
        indicators = await client.get("/v1/indicators", params={"period": "2026"}, headers=headers)
        assert {"social.bansos.coverage.PKH", "social.spm.anak_telantar"} <= {
            v["code"] for v in indicators.json()
        }
        openapi = (await client.get("/openapi.json")).json()
        ids = [op["operationId"] for path in openapi["paths"].values() for op in path.values()]
        assert len(ids) == len(set(ids)) and "recordDistribution" in ids
