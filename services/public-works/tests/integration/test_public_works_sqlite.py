"""Smoke test on SQLite, the quick-start database: migrations, a survey, a batch, an issue
linked as a duplicate, the indicators and summaries."""

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
            batch = {
                "items": [
                    {
                        **survey,
                        "kk": "6402061203040004",
                        "toilet_facility": "tidak_ada",
                        "toilet_type": "tidak_ada",
                        "faeces_disposal": "tidak_tahu",
                    }
                ]
            }
            sent = await client.post("/v1/wash-survey-batches", json=batch, headers=headers)
            assert sent.status_code == 200, sent.text
            assert sent.json()["results"][0]["status"] == "created"
            issue = {
                "posyandu_id": posyandu_id,
                "kind": "drainase",
                "severity": "sedang",
                "latitude": -0.4203,
                "longitude": 116.9871,
                "reported_on": "2026-03-02",
            }
            first = await client.post("/v1/infrastructure-issues", json=issue, headers=headers)
            assert first.status_code == 201, first.text
            again = await client.post("/v1/infrastructure-issues", json=issue, headers=headers)
            assert again.json()["duplicate_of"] == first.json()["id"]
            figures = await client.get("/v1/indicators", params={"period": "2026"}, headers=headers)
            by_code = {v["code"]: (v["numerator"], v["denominator"]) for v in figures.json()}
            assert by_code["public_works.babs"] == (1, 2)
            assert by_code["public_works.basic_water"] == (10, 10)  # water alone: both have it
            assert by_code["public_works.wastewater"] == (5, 10)  # the septic tank's five
            rows = await client.get(
                "/v1/summary/by-desa", params={"period": "2026"}, headers=headers
            )
            (row,) = rows.json()
            assert (row["households_surveyed"], row["issues_open"]) == (2, 1)
            openapi = (await client.get("/openapi.json")).json()
            ids = [op["operationId"] for path in openapi["paths"].values() for op in path.values()]
            assert len(ids) == len(set(ids)) and "recordWashSurvey" in ids
