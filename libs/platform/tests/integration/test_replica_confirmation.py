"""A posyandu the replica has not heard of yet is confirmed with the registry on the write
path: kept when the registry knows it, 422 when it does not, 503 + Retry-After when the
registry cannot be asked; and the replica's events still win afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.auth import CurrentPrincipal, mint_token
from simpul_platform.events import Envelope
from simpul_platform.registry_client import RegistryClient
from simpul_platform.replica import (
    PosyanduStatusChanged,
    apply_posyandu_event,
    get_posyandu,
    replica_metadata,
    require_active_posyandu,
)
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app
from simpul_platform.uow import UnitOfWorkDep

pytestmark = pytest.mark.integration
DESA = "64.02.06.2012"
UPDATED_AT = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


class Visit(BaseModel):
    posyandu_id: str


router = APIRouter()


@router.post("/v1/visits", status_code=201)
async def visit(body: Visit, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> dict[str, str]:
    """A write about a posyandu, checked as every field service checks it."""
    row = await require_active_posyandu(uow.session, body.posyandu_id, field="body.posyandu_id")
    principal.require_wilayah(row["desa_code"])
    await uow.commit()
    return {"desa_code": row["desa_code"]}


def record(posyandu_id: str, status: str = "draft", version: int = 1) -> dict[str, Any]:
    """The registry's answer to GET /v1/posyandu/{id}, as much of it as matters here."""
    return {
        "id": posyandu_id,
        "name": "Posyandu Melati",
        "desa_code": DESA,
        "kecamatan_code": "64.02.06",
        "kabupaten_code": "64.02",
        "fields": ["health"],
        "status": status,
        "registration_number": None,
        "version": version,
        "updated_at": UPDATED_AT.isoformat().replace("+00:00", "Z"),
    }


@dataclass
class Registry:
    """The registry's read route, scripted: ``answers`` by posyandu id, else 404."""

    answers: dict[str, httpx.Response] = field(default_factory=dict)
    seen: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        posyandu_id = request.url.path.rsplit("/", 1)[-1]
        return self.answers.get(posyandu_id, httpx.Response(404, json={"status": 404}))


@dataclass
class Field:
    app: FastAPI
    client: httpx.AsyncClient
    registry: Registry
    headers: dict[str, str]

    async def write(self, posyandu_id: str) -> httpx.Response:
        body = {"posyandu_id": posyandu_id}
        return await self.client.post("/v1/visits", json=body, headers=self.headers)


async def start(
    make_settings: Callable[..., ServiceSettings], url: str, **overrides: Any
) -> AsyncIterator[Field]:
    settings = make_settings(
        ServiceSettings,
        database_url=url,
        service_name="toy",
        consumers_enabled=False,
        registry_url="http://registry",
        **overrides,
    )
    app = create_service_app(
        ServiceSpec(
            settings=settings,
            title="Toy",
            description="",
            metadata=[replica_metadata],
            routers=[router],
        )
    )
    registry = Registry()
    app.state.registry = RegistryClient(settings, transport=httpx.MockTransport(registry.handle))
    token = mint_token(settings, "kader-1", ["kader:toy"], [DESA])
    async with running_app(app) as client:
        yield Field(app, client, registry, {"Authorization": f"Bearer {token}"})


@pytest.fixture
async def toy(make_settings, postgres_url):
    async for started in start(make_settings, postgres_url):
        yield started


async def test_a_posyandu_the_registry_knows_is_kept_and_the_write_proceeds(toy):
    pid = str(uuid.uuid4())
    toy.registry.answers[pid] = httpx.Response(200, json=record(pid))
    first = await toy.write(pid)
    assert first.status_code == 201, first.text
    assert toy.registry.seen[0].headers["authorization"] == toy.headers["Authorization"]
    async with toy.app.state.db.sessions() as session:
        row = await get_posyandu(session, pid)
    assert row is not None
    assert (row["desa_code"], row["kecamatan_code"], row["status"]) == (DESA, "64.02.06", "draft")
    assert row["last_event_at"] == UPDATED_AT
    second = await toy.write(pid)
    assert second.status_code == 201
    assert len(toy.registry.seen) == 1  # now the replica knows it


async def test_a_later_event_still_wins_and_an_older_one_does_not(toy):
    pid = str(uuid.uuid4())
    toy.registry.answers[pid] = httpx.Response(200, json=record(pid, version=3))
    assert (await toy.write(pid)).status_code == 201
    db = toy.app.state.db
    older = status_event(pid, "inactive", UPDATED_AT - timedelta(seconds=1))
    async with db.transaction() as session:
        await apply_posyandu_event(session, older)
    assert (await toy.write(pid)).status_code == 201
    later = status_event(pid, "inactive", UPDATED_AT + timedelta(milliseconds=5))
    async with db.transaction() as session:
        await apply_posyandu_event(session, later)
    refused = await toy.write(pid)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["rule"] == "posyandu_inactive"


async def test_a_posyandu_the_registry_does_not_know_stays_unknown(toy):
    response = await toy.write(str(uuid.uuid4()))
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("body.posyandu_id", "unknown_posyandu")


async def test_a_posyandu_outside_the_callers_wilayah_is_refused_as_the_registry_refuses_it(toy):
    pid = str(uuid.uuid4())
    toy.registry.answers[pid] = httpx.Response(403, json={"detail": "Wilayah 64.03 is outside"})
    response = await toy.write(pid)
    assert response.status_code == 403
    assert "64.03" in response.json()["detail"]


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(500, json={}),
        httpx.Response(401, json={}),
        httpx.Response(200, json={"id": "x"}),  # a record that does not parse
        "unreachable",
    ],
    ids=["500", "token-refused", "unparsable", "unreachable"],
)
async def test_a_registry_that_cannot_answer_gives_a_503_to_retry(toy, answer):
    pid = str(uuid.uuid4())
    if answer == "unreachable":
        toy.app.state.registry = RegistryClient(
            toy.app.state.settings, transport=httpx.MockTransport(refuse_connection)
        )
    else:
        toy.registry.answers[pid] = answer
    assert_retry_later(await toy.write(pid))


async def test_without_a_registry_url_a_miss_is_a_503_to_retry(make_settings, postgres_url):
    async for toy in start(make_settings, postgres_url):
        toy.app.state.registry = RegistryClient(
            toy.app.state.settings.model_copy(update={"registry_url": ""})
        )
        assert_retry_later(await toy.write(str(uuid.uuid4())))


def refuse_connection(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def assert_retry_later(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    assert response.headers["content-type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("body.posyandu_id", "posyandu_unconfirmed")


def status_event(pid: str, status: str, when: datetime) -> Envelope:
    return Envelope(
        id=str(uuid.uuid4()),
        type=PosyanduStatusChanged.event_type,
        source="/simpul/registry",
        time=when,
        data={**record(pid, status), "posyandu_id": pid},
    )
