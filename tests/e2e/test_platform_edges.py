"""The platform's HTTP edges on every service as deployed (real uvicorn processes, the real
broker and PostgreSQL): request bodies over the limit, the documentation offline, and writing
about a posyandu in a field service the moment the registry created it."""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from simpul_platform.auth import mint_token
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.server import raw_request
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

pytestmark = pytest.mark.e2e
SERVICES = ["registry", "health", "social", "gateway"]
LIMIT = 1024 * 1024
DESA = "64.02.06.2012"
TOKENS = ServiceSettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    env = {"SIMPUL_MAX_BODY_BYTES": str(LIMIT)}
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        SERVICES,
        extra_env=env,
        kafka=kafka_broker.managed,
    )
    try:
        yield started.start()
    finally:
        started.stop()


def bearer(role: str, wilayah: str = "64.02") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(TOKENS, role, [role], [wilayah])}"}


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("service", SERVICES)
def test_every_service_answers_a_body_over_the_limit_with_a_413_problem(stack, service, chunked):
    headers = {"Content-Type": "application/json", "Connection": "close"}
    over = raw_request(
        stack.url(service),
        "POST",
        "/v1/posyandu",
        b" " * (LIMIT + 1),
        headers=headers,
        chunked=chunked,
    )
    assert (over.status, over.reset) == (413, False)
    assert over.headers["content-type"] == "application/problem+json"
    assert json.loads(over.body)["errors"][0]["rule"] == "max_bytes"
    under = raw_request(
        stack.url(service), "POST", "/v1/posyandu", b" " * LIMIT, headers=headers, chunked=chunked
    )
    assert not under.reset and under.status is not None and 400 <= under.status < 500
    assert under.status != 413
    assert under.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("service", SERVICES)
async def test_every_service_serves_its_documentation_without_another_host(stack, service):
    async with httpx.AsyncClient(base_url=stack.url(service), timeout=30) as client:
        for page in ("/docs", "/redoc"):
            html = (await client.get(page)).text
            assets = re.findall(r"""(?:src|href|spec-url)=["']([^"']+)["']|url: ?'([^']+)'""", html)
            paths = [a or b for a, b in assets]
            assert paths and all(p.startswith("/") for p in paths), paths
            for path in paths:
                assert (await client.get(path)).status_code == 200, path


def target(posyandu_id: str, serial: int) -> dict[str, Any]:
    birth = date.today() - timedelta(days=400)
    return {
        "nik": f"640206{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}",
        "kk": None,
        "name": "Anak",
        "sex": "M",
        "birth_date": birth.isoformat(),
        "posyandu_id": posyandu_id,
    }


def household(posyandu_id: str, serial: int) -> dict[str, Any]:
    return {
        "kk": f"640206010120{serial:04d}",
        "posyandu_id": posyandu_id,
        "address": "Jl. Melati",
        "members": [],
    }


async def create_posyandu(client: httpx.AsyncClient, stack: Stack, name: str) -> str:
    created = await client.post(
        f"{stack.url('registry')}/v1/posyandu",
        headers=bearer("dpmd"),
        json={"name": name, "desa_code": DESA, "fields": ["health", "social"]},
    )
    assert created.status_code == 201, created.text
    posyandu_id: str = created.json()["id"]
    return posyandu_id


async def test_a_field_service_takes_a_write_about_a_posyandu_the_moment_it_was_created(stack):
    async with httpx.AsyncClient(timeout=30) as client:
        for serial in range(1, 4):
            pid = await create_posyandu(client, stack, f"Posyandu Melati {serial}")
            in_health = await client.post(
                f"{stack.url('health')}/v1/targets",
                json=target(pid, serial),
                headers=bearer("opd:health"),
            )
            assert in_health.status_code == 201, in_health.text
            in_social = await client.post(
                f"{stack.url('social')}/v1/households",
                json=household(pid, serial),
                headers=bearer("opd:social"),
            )
            assert in_social.status_code == 201, in_social.text

        unknown = await client.post(
            f"{stack.url('health')}/v1/targets",
            json=target(str(uuid.uuid4()), 9),
            headers=bearer("opd:health"),
        )
        assert unknown.status_code == 422
        assert unknown.json()["errors"][0]["rule"] == "unknown_posyandu"


async def test_the_registrys_later_events_still_reach_a_posyandu_confirmed_over_rest(stack):
    async with httpx.AsyncClient(timeout=30) as client:
        pid = await create_posyandu(client, stack, "Posyandu Anggrek")
        first = await client.post(
            f"{stack.url('health')}/v1/targets", json=target(pid, 21), headers=bearer("opd:health")
        )
        assert first.status_code == 201, first.text
        renamed = await client.patch(
            f"{stack.url('registry')}/v1/posyandu/{pid}",
            json={"name": "Posyandu Anggrek Indah"},
            headers=bearer("dpmd"),
        )
        assert renamed.status_code == 200, renamed.text
    conn = await asyncpg.connect(stack.databases["health"].replace("+asyncpg", ""))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            name = await conn.fetchval(
                "SELECT name FROM posyandu_replica WHERE posyandu_id = $1", pid
            )
            if name == "Posyandu Anggrek Indah":
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"the rename never reached health's replica (still {name!r})")
    finally:
        await conn.close()


async def test_without_the_registry_a_posyandu_not_yet_replicated_is_a_503_to_retry(stack):
    stack.processes["registry"].stop()
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(
                f"{stack.url('social')}/v1/households",
                json=household(str(uuid.uuid4()), 31),
                headers=bearer("opd:social"),
            )
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "1"
        assert response.json()["errors"][0]["rule"] == "posyandu_unconfirmed"
    finally:
        stack.restart("registry")
