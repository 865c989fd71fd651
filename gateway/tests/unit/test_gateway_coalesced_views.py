"""A meeting's laptops opening the same scorecard and priority loci at once: the gateway asks
each service once for all of them, every laptop gets the same answer, and a caller who may
not read the wilayah is still refused. The services are scripted upstreams that take a while
to answer (so the requests overlap) and count what they are asked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from simpul_gateway.app import create_app
from simpul_gateway.clients import CLIENTS
from simpul_gateway.settings import GatewaySettings
from simpul_gateway.upstream import Answer, CircuitBreaker, Status, Upstream
from simpul_gateway.upstreams import Upstreams
from simpul_platform.auth import mint_token
from simpul_platform.indicators import SPM_FIELDS
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit

SETTINGS = GatewaySettings(
    environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
)
LAPTOPS = 16
KECAMATAN = "64.02.06"


def bearer(sub: str, wilayah: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(SETTINGS, sub, ['dpmd'], [wilayah])}"}


class Slow(Upstream):
    """Answers every path with ``[]`` (the registry: a kecamatan without desa) after a pause,
    counting the calls."""

    def __init__(self, name: str) -> None:
        super().__init__(
            name, "http://stub", timeout_s=2.0, retries=0, breaker=CircuitBreaker(3, 60)
        )
        self.calls = 0

    async def get(self, path: str, token: str, params: dict[str, Any] | None = None) -> Answer:
        self.calls += 1
        await asyncio.sleep(0.2)
        if path.startswith("/v1/wilayah/"):
            return Answer(Status.OK, data={"code": KECAMATAN, "name": "Tenggarong", "children": []})
        return Answer(Status.OK, data=[])


@pytest.fixture
async def meeting() -> AsyncIterator[tuple[httpx.AsyncClient, list[Slow]]]:
    app = create_app(SETTINGS)
    stubs = [Slow("registry"), *(Slow(field) for field in SPM_FIELDS)]
    async with running_app(app) as client:
        app.state.upstreams = Upstreams(
            registry=stubs[0],
            fields={f: CLIENTS[f](s) for f, s in zip(SPM_FIELDS, stubs[1:], strict=True)},
        )
        yield client, stubs


async def ask_together(client: httpx.AsyncClient, path: str) -> list[httpx.Response]:
    params = {"wilayah": KECAMATAN, "period": "2026-11"}
    laptops = [
        client.get(path, params=params, headers=bearer(f"dpmd-{i}", "64.02"))
        for i in range(LAPTOPS)
    ]
    outsider = client.get(path, params=params, headers=bearer("dpmd-berau", "64.03"))
    return list(await asyncio.gather(*laptops, outsider))


@pytest.mark.parametrize("path", ["/v1/scorecard", "/v1/priority-loci"])
async def test_laptops_asking_at_once_share_one_fan_out(
    meeting: tuple[httpx.AsyncClient, list[Slow]], path: str
) -> None:
    client, stubs = meeting
    *answers, refused = await ask_together(client, path)
    assert [a.status_code for a in answers] == [200] * LAPTOPS
    assert all(a.json() == answers[0].json() for a in answers)
    assert answers[0].json()["wilayah"] == KECAMATAN
    assert refused.status_code == 403
    asked = {stub.name: stub.calls for stub in stubs if stub.calls}
    assert asked and max(asked.values()) <= 2, asked  # not sixteen each

    # Asked again afterwards: counted again, not served from a cache.
    before = sum(asked.values())
    again = await client.get(
        path, params={"wilayah": KECAMATAN, "period": "2026-11"}, headers=bearer("x", "64.02")
    )
    assert again.status_code == 200
    assert sum(stub.calls for stub in stubs) == 2 * before
