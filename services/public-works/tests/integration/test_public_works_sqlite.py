"""Smoke test on SQLite, the quick-start database: migrations, a survey, reads."""

from __future__ import annotations

from typing import Any

import pytest
from public_works_testkit import RAPAK_LAMBUR, SAFE_SURVEY

from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.peers import RegistryPeer
from simpul_public_works.app import create_app
from simpul_public_works.settings import PublicWorksSettings

pytestmark = pytest.mark.integration


async def test_public_works_runs_on_sqlite(make_settings: Any, sqlite_url: str) -> None:
    settings = make_settings(
        PublicWorksSettings, database_url=sqlite_url, consumers_enabled=False, relay_enabled=False
    )
    token = mint_token(settings, "dpu", ["opd:public_works"], ["64.02"])
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(settings)
    async with RegistryPeer.running(make_settings(ServiceSettings, service_name="peer")) as peer:
        posyandu_id = await peer.register(RAPAK_LAMBUR)
        peer.answer(app)  # no consumers here: the replica miss is confirmed over REST
        async with running_app(app) as client:
            assert (await client.get("/readyz")).json()["database"] == "ok"
            survey = {**SAFE_SURVEY, "posyandu_id": posyandu_id, "kk": "6402061203040003"}
            recorded = await client.post("/v1/wash-surveys", json=survey, headers=headers)
            assert recorded.status_code == 201, recorded.text
            assert (recorded.json()["water_level"], recorded.json()["sanitation_level"]) == (
                "aman",
                "aman",
            )
            households = await client.get("/v1/households", headers=headers)
            (household,) = households.json()
            assert household["kk_masked"] == "640206********03" and household["basic_water"]
            openapi = (await client.get("/openapi.json")).json()
            ids = [op["operationId"] for path in openapi["paths"].values() for op in path.values()]
            assert len(ids) == len(set(ids)) and "recordWashSurvey" in ids
