"""The committed event catalogue (docs/asyncapi.json) is the one the code generates."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft7Validator

from simpul_gateway.catalogue import catalogue, published_events
from simpul_platform.devstack.project import project_root
from simpul_platform.testing.asyncapi_schema import asyncapi_schema

pytestmark = pytest.mark.unit


def test_docs_catalogue_is_current():
    committed = json.loads((project_root() / "docs" / "asyncapi.json").read_text())
    assert committed == catalogue(), (
        "docs/asyncapi.json is stale: uv run python -m simpul_gateway.catalogue docs/asyncapi.json"
    )


def test_catalogue_is_valid_asyncapi_and_covers_every_event_class():
    document = catalogue()
    assert list(Draft7Validator(asyncapi_schema()).iter_errors(document)) == []
    declared = {event.event_type for events in published_events().values() for event in events}
    assert set(document["components"]["messages"]) == declared
    assert all(name.count(".") == 3 and name.endswith(".v1") for name in declared)


def test_no_personal_identifier_fields_are_published():
    personal = {"nik", "kk", "no_kk", "nama", "address", "alamat", "phone", "birth_date"}
    for title, schema in catalogue()["components"]["schemas"].items():
        fields = set(schema.get("properties", {}))
        assert not personal & fields, title
        # A name may only be a posyandu's (an institution's), never a person's.
        if "name" in fields:
            assert title.startswith("Posyandu") and "posyandu_id" in fields, title
