"""The OpenAPI document names every problem a route can answer, from what the route has."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel

from simpul_platform.app import ServiceSpec, create_service_app
from simpul_platform.auth import Principal, require_roles
from simpul_platform.openapi import allowed_methods, bearer_auth, links, problems
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET

pytestmark = pytest.mark.unit
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


class ThingIn(BaseModel):
    name: str


class ThingOut(BaseModel):
    id: str
    name: str


Writer = Annotated[Principal, Depends(require_roles("opd:toy"))]
router = APIRouter(prefix="/v1/things")


@router.post("", status_code=201, response_model=ThingOut, operation_id="createThing")
async def create(body: ThingIn, principal: Writer) -> Any:
    """Create."""


@router.get("/{thing_id}", response_model=ThingOut, operation_id="getThing")
async def read(thing_id: str, principal: Writer) -> Any:
    """Read."""


@router.patch("/{thing_id}", response_model=ThingOut, operation_id="renameThing")
async def rename(thing_id: str, body: ThingIn, principal: Writer) -> Any:
    """Change."""


@router.post(
    "/{thing_id}/approve",
    response_model=ThingOut,
    operation_id="approveThing",
    responses=problems(409),
)
async def approve(thing_id: str, principal: Writer) -> Any:
    """A workflow step."""


@router.post(
    "/copies",
    status_code=201,
    response_model=ThingOut,
    operation_id="copyThing",
    responses=links("getThing", thing_id="$response.body#/id"),
)
async def copy(body: ThingIn, principal: Writer) -> Any:
    """Creates a thing elsewhere in the path tree."""


@router.post("/{thing_id}/parts", status_code=201, response_model=ThingOut, operation_id="addPart")
async def add_part(thing_id: str, body: ThingIn, principal: Writer) -> Any:
    """A record created beneath another."""


@router.post("/{thing_id}/parts/{part_id}/fit", response_model=ThingOut, operation_id="fitPart")
async def fit_part(thing_id: str, part_id: str, principal: Writer) -> Any:
    """A step on the record beneath."""


@bearer_auth
async def custom_auth(request: Request) -> str:
    return "caller"


@router.get("/-/mine", operation_id="mine", response_model=list[str])
async def mine(caller: Annotated[str, Depends(custom_auth)]) -> Any:
    """A route guarded by a dependency of its own, marked as bearer auth."""


def app(stateful: bool = True) -> FastAPI:
    settings = ServiceSettings(
        environment="test", jwt_secret=TEST_JWT_SECRET, pseudonym_secret=TEST_PSEUDONYM_SECRET
    )
    spec = ServiceSpec(
        settings=settings, title="T", description="t", routers=[router], uses_database=stateful
    )
    return create_service_app(spec)


def document(stateful: bool = True) -> dict[str, Any]:
    return app(stateful).openapi()


def responses(doc: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    result: dict[str, Any] = doc["paths"][path][method]["responses"]
    return result


def statuses(doc: dict[str, Any], path: str, method: str = "get") -> str:
    return " ".join(sorted(responses(doc, path, method)))


def test_each_route_documents_the_problems_its_parts_can_give() -> None:
    doc = document()
    assert statuses(doc, "/v1/things", "post") == "201 400 401 403 409 413 415 422 503"
    assert statuses(doc, "/v1/things/{thing_id}") == "200 401 403 404 422 503"
    assert statuses(doc, "/v1/things/-/mine") == "200 401 403 503"
    assert statuses(doc, "/healthz") == "200"
    assert statuses(doc, "/readyz") == "200 503"


def test_every_problem_is_the_one_shared_schema_and_fastapis_own_422_is_gone() -> None:
    doc = document()
    for item in doc["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status[0] in "45" and operation["operationId"] != "readyz":
                    assert response["content"] == PROBLEM, (operation["operationId"], status)
    schemas = doc["components"]["schemas"]
    assert {"Problem", "FieldError"} <= set(schemas)
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas


def test_a_route_declares_its_own_statuses_with_problems() -> None:
    approve = responses(document(), "/v1/things/{thing_id}/approve", "post")
    assert approve["409"]["content"] == PROBLEM


def test_bearer_routes_carry_the_security_scheme() -> None:
    doc = document()
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert doc["paths"]["/v1/things/-/mine"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in doc["paths"]["/healthz"]["get"]


def test_posts_of_a_service_with_a_database_take_an_idempotency_key() -> None:
    post = document()["paths"]["/v1/things"]["post"]
    assert [p["name"] for p in post["parameters"]] == ["Idempotency-Key"]
    stateless = document(stateful=False)["paths"]["/v1/things"]["post"]
    assert "parameters" not in stateless and "409" not in stateless["responses"]


def test_a_creation_links_to_the_operations_under_its_path_and_to_declared_reads() -> None:
    doc = document()
    created = responses(doc, "/v1/things", "post")["201"]["links"]
    assert created["getThing"] == {
        "operationId": "getThing",
        "parameters": {"thing_id": "$response.body#/id"},
    }
    assert created["approveThing"]["parameters"] == {"thing_id": "$response.body#/id"}
    copied = responses(doc, "/v1/things/copies", "post")["201"]["links"]
    assert copied == {
        "getThing": {"operationId": "getThing", "parameters": {"thing_id": "$response.body#/id"}}
    }


def test_writes_of_a_service_with_a_database_may_lose_a_uniqueness_race() -> None:
    approve = responses(document(), "/v1/things/{thing_id}/approve", "post")
    assert "409" in approve
    assert "409" not in responses(document(stateful=False), "/v1/things/{thing_id}", "get")


def test_allowed_methods_are_every_method_documented_for_the_path() -> None:
    doc = document()
    assert allowed_methods(doc, "/v1/things") == ["POST"]
    assert allowed_methods(doc, "/v1/things/abc") == ["GET", "PATCH"]
    assert allowed_methods(doc, "/v1/things/abc/approve") == ["POST"]
    assert allowed_methods(doc, "/v1/nothing") == []


async def test_a_405_names_every_method_of_the_path_not_only_the_first_routes() -> None:
    transport = httpx.ASGITransport(app=app(stateful=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.delete("/v1/things/abc")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"
    assert response.headers["content-type"] == "application/problem+json"


def test_a_creation_beneath_another_passes_its_parents_id_on_from_the_request() -> None:
    links_ = responses(document(), "/v1/things/{thing_id}/parts", "post")["201"]["links"]
    assert links_ == {
        "fitPart": {
            "operationId": "fitPart",
            "parameters": {
                "thing_id": "$request.path.thing_id",
                "part_id": "$response.body#/id",
            },
        }
    }
