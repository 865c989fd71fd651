"""Auth, problem+json and Idempotency-Key, through a real app on the real database."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from fastapi import APIRouter

from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.auth import mint_token
from simpul_platform.testing.asgi import running_app
from simpul_platform.uow import UnitOfWorkDep
from toy_service import Effect, ToySettings, create_app, note_count, toy_metadata

pytestmark = pytest.mark.integration
PROBLEM = "application/problem+json"
NOTE = {"posyandu_id": "pos-1", "wilayah": "64.02.06.2001", "text": "kader meeting"}


def bearer(
    settings: ToySettings, roles: list[str], wilayah: list[str], **kw: object
) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, 'user-1', roles, wilayah, **kw)}"}


@pytest.fixture
async def service(make_settings, postgres_url):
    settings = make_settings(ToySettings, database_url=postgres_url, consumers_enabled=False)
    app = create_app(settings, with_consumer=False)
    async with running_app(app) as client:
        yield settings, app, client


async def test_missing_expired_and_forged_tokens_are_401_problems(service):
    settings, _, client = service
    expired = bearer(settings, ["opd:toy"], ["64"], ttl=timedelta(seconds=-5))
    forged = {
        "Authorization": "Bearer "
        + mint_token(
            settings.model_copy(update={"jwt_secret": "another-secret-of-sufficient-length-000"}),
            "x",
            ["opd:toy"],
            ["64"],
        )
    }
    for headers, detail in [({}, "Authorization"), (expired, "expired"), (forged, "not valid")]:
        response = await client.post("/v1/notes", json=NOTE, headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["www-authenticate"] == "Bearer"
        assert detail in response.json()["detail"]
        assert response.json()["type"] == "urn:simpul:problem:unauthorized"


async def test_wrong_role_and_outside_wilayah_are_403_problems(service):
    settings, app, client = service
    wrong_role = await client.post(
        "/v1/notes", json=NOTE, headers=bearer(settings, ["opd:health"], ["64"])
    )
    assert wrong_role.status_code == 403
    assert "opd:toy" in wrong_role.json()["detail"]
    elsewhere = await client.post(
        "/v1/notes", json=NOTE, headers=bearer(settings, ["opd:toy"], ["64.02.07"])
    )
    assert elsewhere.status_code == 403
    assert elsewhere.headers["content-type"] == PROBLEM
    assert "64.02.06.2001" in elsewhere.json()["detail"]
    async with app.state.db.sessions() as session:
        assert await note_count(session) == 0


async def test_parent_wilayah_covers_children_and_hidden_reads_are_404(service):
    settings, _, client = service
    created = await client.post(
        "/v1/notes", json=NOTE, headers=bearer(settings, ["opd:toy"], ["64.02"])
    )
    assert created.status_code == 201
    note_id = created.json()["id"]
    own = await client.get(f"/v1/notes/{note_id}", headers=bearer(settings, ["dpmd"], ["64.02.06"]))
    assert own.status_code == 200 and own.json()["text"] == "kader meeting"
    other = await client.get(f"/v1/notes/{note_id}", headers=bearer(settings, ["dpmd"], ["64.03"]))
    assert other.status_code == 404


async def test_validation_errors_name_the_field_and_the_rule(service):
    settings, app, client = service
    bad = {**NOTE, "wilayah": "64-02", "weight_kg": 200}
    response = await client.post(
        "/v1/notes", json=bad, headers=bearer(settings, ["opd:toy"], ["64"])
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    errors = {e["field"]: e["rule"] for e in response.json()["errors"]}
    assert errors == {
        "body.wilayah": "string_pattern_mismatch",
        "body.weight_kg": "less_than_equal",
    }
    async with app.state.db.sessions() as session:
        assert await note_count(session) == 0


async def test_idempotency_key_replays_the_first_response(service):
    settings, app, client = service
    headers = {**bearer(settings, ["opd:toy"], ["64"]), "Idempotency-Key": "batch-2026-11-01"}
    first = await client.post("/v1/notes", json=NOTE, headers=headers)
    again = await client.post("/v1/notes", json=dict(reversed(list(NOTE.items()))), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    changed = await client.post("/v1/notes", json={**NOTE, "text": "other"}, headers=headers)
    assert changed.status_code == 422
    assert changed.json()["errors"][0]["field"] == "header.Idempotency-Key"
    # A header that changes what is asked (the registry's X-First-Row) makes another request
    # too; one that only says how it travels does not (found by schemathesis).
    other_header = await client.post(
        "/v1/notes", json=NOTE, headers={**headers, "X-First-Row": "2"}
    )
    assert other_header.status_code == 422
    traced = await client.post("/v1/notes", json=NOTE, headers={**headers, "X-Request-ID": "r-2"})
    assert traced.status_code == 201 and traced.headers["idempotent-replayed"] == "true"
    async with app.state.db.sessions() as session:
        assert await note_count(session) == 1


async def test_concurrent_retries_with_one_key_have_one_effect(service):
    settings, app, client = service
    headers = {**bearer(settings, ["opd:toy"], ["64"]), "Idempotency-Key": "race-1"}
    responses = await asyncio.gather(
        *(client.post("/v1/notes", json=NOTE, headers=headers) for _ in range(5))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    async with app.state.db.sessions() as session:
        assert await note_count(session) == 1


async def test_health_readiness_and_metrics(service):
    _, _, client = service
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"
    metrics = await client.get("/metrics")
    assert "simpul_http_requests_total" in metrics.text
    assert "x-request-id" in metrics.headers


async def test_a_uniqueness_race_that_escapes_a_route_is_a_409_not_a_500(
    make_settings, postgres_url
):

    router = APIRouter()

    @router.post("/v1/effects/{note_id}", status_code=201)
    async def add_effect(note_id: str, uow: UnitOfWorkDep) -> dict[str, str]:
        uow.session.add(Effect(note_id=note_id, times=1))  # no check first: the race's loser
        await uow.commit()
        return {"note_id": note_id}

    settings = make_settings(ToySettings, database_url=postgres_url, consumers_enabled=False)
    app = create_service_app(
        ServiceSpec(
            settings=settings, title="t", description="t", metadata=[toy_metadata], routers=[router]
        )
    )
    async with running_app(app) as client:
        assert (await client.post("/v1/effects/n-1")).status_code == 201
        second = await client.post("/v1/effects/n-1")
    assert second.status_code == 409
    assert second.headers["content-type"] == PROBLEM
    assert "concurrent" in second.json()["detail"]
