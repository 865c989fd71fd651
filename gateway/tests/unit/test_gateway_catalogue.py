"""The gateway serves the committed event catalogue from its own package, so it needs no
service installed beside it (tests/unit/test_event_catalogue.py keeps the copies equal to what
the code generates)."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft7Validator

from simpul_gateway.app import create_app
from simpul_gateway.catalogue import catalogue
from simpul_gateway.settings import GatewaySettings
from simpul_platform.devstack.project import project_root
from simpul_platform.testing.asgi import running_app
from simpul_platform.testing.asyncapi_schema import asyncapi_schema

pytestmark = pytest.mark.unit


def test_the_packaged_catalogue_is_the_committed_one():
    committed = json.loads((project_root() / "docs" / "asyncapi.json").read_text())
    assert catalogue() == committed, (
        "the gateway's asyncapi.json differs from docs/asyncapi.json: "
        "uv run python -m simpul_platform.devstack.catalogue"
    )


async def test_a_gateway_without_services_serves_it_whole():
    alone = GatewaySettings(registry_url="", health_url="", education_url="", social_url="")
    async with running_app(create_app(alone)) as client:
        response = await client.get("/v1/events/asyncapi.json")
    assert response.status_code == 200 and response.json() == catalogue()


def test_catalogue_is_valid_asyncapi_with_sends_and_receives():
    document = catalogue()
    assert list(Draft7Validator(asyncapi_schema()).iter_errors(document)) == []
    assert set(document["channels"]) == {
        "simpul.registry.v1",
        "simpul.health.v1",
        "simpul.education.v1",
        "simpul.social.v1",
        "simpul.housing.v1",
        "simpul.public-works.v1",
        "simpul.trantib.v1",
    }
    actions = {operation["action"] for operation in document["operations"].values()}
    assert actions == {"send", "receive"}


def test_no_personal_identifier_fields_are_published():
    personal = {"nik", "kk", "no_kk", "nama", "address", "alamat", "phone", "birth_date"}
    for title, schema in catalogue()["components"]["schemas"].items():
        fields = set(schema.get("properties", {}))
        assert not personal & fields, title
        # A name may only be a posyandu's (an institution's), a public facility's or a
        # disaster's, never a person's.
        if "name" in fields:
            owners = {
                "Posyandu": "posyandu_id",
                "Facility": "facility_id",
                "Disaster": "disaster_id",
            }
            owner = next((o for prefix, o in owners.items() if title.startswith(prefix)), None)
            assert owner in fields, title
