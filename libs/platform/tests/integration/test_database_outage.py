"""A service whose database goes away answers 503 (never 500) and recovers when it returns;
connections the server closed are replaced, not failed."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from simpul_platform.auth import mint_token
from simpul_platform.devstack.ports import free_port
from simpul_platform.devstack.postgres import PostgresServer
from simpul_platform.testing.asgi import running_app
from toy_service import ToySettings, create_app

pytestmark = pytest.mark.integration
NOTE = {"posyandu_id": "pos-1", "wilayah": "64.02.06.2001", "text": "scales calibrated"}


@asynccontextmanager
async def toy_on_its_own_server(
    make_settings: Any, name: str
) -> AsyncIterator[tuple[PostgresServer, httpx.AsyncClient, dict[str, str]]]:
    """The toy service's API on a PostgreSQL server of its own (to stop or disturb), with a
    writer's headers."""
    base_dir = Path(tempfile.mkdtemp(prefix=f"simpul-pg-{name}-", dir="/tmp"))
    server = PostgresServer(base_dir=base_dir, port=free_port()).start()
    try:
        url = server.create_database(name)
        settings = make_settings(
            ToySettings, database_url=url, consumers_enabled=False, relay_enabled=False
        )
        token = mint_token(settings, "opd-toy", ["opd:toy"], ["64"])
        headers = {"Authorization": f"Bearer {token}"}
        async with running_app(create_app(settings, with_consumer=False)) as client:
            yield server, client, headers
    finally:
        server.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


async def test_database_outage_is_a_503_problem_and_the_service_recovers(make_settings):
    async with toy_on_its_own_server(make_settings, "outage") as (server, client, headers):
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


async def test_connections_the_server_closed_are_replaced_not_failed(make_settings):
    """Pooled connections whose backends the server ended (a restart, a failover, an
    administrator's pg_terminate_backend) are replaced at checkout: the next writes succeed."""
    async with toy_on_its_own_server(make_settings, "closed") as (server, client, headers):
        first = [client.post("/v1/notes", json=NOTE, headers=headers) for _ in range(4)]
        assert [r.status_code for r in await asyncio.gather(*first)] == [201] * 4
        admin = await asyncpg.connect(server.url("closed", driver="postgresql"))
        try:
            ended = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = 'closed' AND pid <> pg_backend_pid()"
            )
            assert ended >= 1
            await asyncio.sleep(0.2)  # the goodbye reaches the pooled sockets
            after = [client.post("/v1/notes", json=NOTE, headers=headers) for _ in range(4)]
            assert [r.status_code for r in await asyncio.gather(*after)] == [201] * 4
            assert await admin.fetchval("SELECT count(*) FROM notes") == 8
        finally:
            await admin.close()
