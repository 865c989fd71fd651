"""The generated event catalogue is a valid AsyncAPI 3.0 document."""

from __future__ import annotations

import pytest
from jsonschema import Draft7Validator

from simpul_platform.asyncapi import asyncapi_document
from simpul_platform.testing.asyncapi_schema import asyncapi_schema
from toy_service import NoteCreated

pytestmark = pytest.mark.unit


def test_catalogue_validates_against_the_asyncapi_schema():
    document = asyncapi_document({"toy": [NoteCreated]})
    validator = Draft7Validator(asyncapi_schema())
    assert [e.message for e in validator.iter_errors(document)] == []
    message = document["components"]["messages"]["toy.note.created.v1"]
    assert message["headers"]["properties"]["ce_type"]["const"] == "toy.note.created.v1"
    assert set(message["payload"]) == {"$ref"}
    schema_name = message["payload"]["$ref"].rsplit("/", 1)[1]
    assert set(document["components"]["schemas"][schema_name]["properties"]) == {"note_id", "text"}


def test_the_validator_does_reject_a_broken_document():
    document = asyncapi_document({"toy": [NoteCreated]})
    document["channels"]["simpul.toy.v1"]["address"] = 5
    assert list(Draft7Validator(asyncapi_schema()).iter_errors(document))
