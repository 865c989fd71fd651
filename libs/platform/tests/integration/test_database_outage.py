"""A service whose database goes away answers 503 (never 500) and recovers when it returns."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from simpul_platform.auth import mint_token
from simpul_platform.devstack.ports import free_port
from simpul_platform.devstack.postgres import PostgresServer
from simpul_platform.testing.asgi import running_app
from toy_service import ToySettings, create_app

pytestmark = pytest.mark.integration
NOTE = {"posyandu_id": "pos-1", "wilayah": "64.02.06.2001", "text": "scales calibrated"}


async def test_database_outage_is_a_503_problem_and_the_service_recovers(make_settings):
    base_dir = Path(tempfile.mkdtemp(prefix="simpul-pg-outage-", dir="/tmp"))
    server = PostgresServer(base_dir=base_dir, port=free_port()).start()
    try:
        url = server.create_database("outage")
        settings = make_settings(
            ToySettings, database_url=url, consumers_enabled=False, relay_enabled=False
        )
        token = mint_token(settings, "opd-toy", ["opd:toy"], ["64"])
        headers = {"Authorization": f"Bearer {token}"}
        async with running_app(create_app(settings, with_consumer=False)) as client:
            assert (await client.post("/v1/notes", json=NOTE, headers=headers)).status_code == 201
            server.stop()
            down = await client.post("/v1/notes", json=NOTE, headers=headers)
            assert down.status_code == 503
            assert down.headers["content-type"] == "application/problem+json"
            assert down.headers["retry-after"] == "5"
            keyed = await client.post(
                "/v1/notes", json=NOTE, headers={**headers, "Idempotency-Key": "k-1"}
            )
            assert keyed.status_code == 503
            ready = await client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["status"] == "down"
            server.start()
            again = await client.post(
                "/v1/notes", json=NOTE, headers={**headers, "Idempotency-Key": "k-1"}
            )
            assert again.status_code == 201
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)
