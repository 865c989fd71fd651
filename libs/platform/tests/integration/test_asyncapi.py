"""The generated event catalogue is a valid AsyncAPI 3.0 document."""

from __future__ import annotations

import pytest
from jsonschema import Draft7Validator

from simpul_platform.asyncapi import asyncapi_document
from simpul_platform.replica import posyandu_replica_consumer
from simpul_platform.testing.asyncapi_schema import asyncapi_schema
from toy_service import TOY_CONSUMER, NoteCreated

pytestmark = pytest.mark.integration


def test_catalogue_validates_against_the_asyncapi_schema():
    document = asyncapi_document({"toy": [NoteCreated]}, {"toy": [TOY_CONSUMER]})
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


def test_a_consumer_is_a_receive_operation_on_the_producers_channel():
    document = asyncapi_document({"toy": [NoteCreated]}, {"toy": [TOY_CONSUMER]})
    operation = document["operations"]["toy.effects.receive.simpul.toy.v1"]
    assert operation["action"] == "receive"
    assert operation["channel"] == {"$ref": "#/channels/simpul.toy.v1"}
    assert operation["messages"] == [
        {"$ref": "#/channels/simpul.toy.v1/messages/toy.note.created.v1"}
    ]
    assert operation["bindings"]["kafka"]["groupId"]["const"] == "toy.effects"


def test_a_consumer_of_an_event_nobody_publishes_is_refused():
    replica = posyandu_replica_consumer("toy.posyandu-replica")
    with pytest.raises(ValueError, match=r"nothing publishes on simpul\.registry\.v1"):
        asyncapi_document({"toy": [NoteCreated]}, {"toy": [replica]})
