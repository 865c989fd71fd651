"""The committed event catalogue (docs/asyncapi.json and the gateway's packaged copy) is the
one every service's code generates: what each publishes, and what each of its consumers
receives."""

from __future__ import annotations

import importlib
import inspect

import pytest
from jsonschema import Draft7Validator

from simpul_platform.devstack.catalogue import COPIES, catalogue, render
from simpul_platform.devstack.project import project_root
from simpul_platform.events import EventPayload
from simpul_platform.referrals.catalogue import CATALOGUES
from simpul_platform.referrals.events import published_by
from simpul_platform.testing.asyncapi_schema import asyncapi_schema

pytestmark = pytest.mark.unit


def test_the_committed_copies_are_current(specs):
    generated = render(catalogue(specs))
    for copy in COPIES:
        assert (project_root() / copy).read_text() == generated, (
            f"{copy} is stale: uv run python -m simpul_platform.devstack.catalogue"
        )


def test_catalogue_is_valid_asyncapi_and_covers_every_event_class(specs):
    document = catalogue(specs)
    assert list(Draft7Validator(asyncapi_schema()).iter_errors(document)) == []
    declared: set[str] = set()
    for name, spec in specs.items():
        published = {event.event_type for event in spec.published_events}
        assert published == _event_classes(name), f"{name}: PUBLISHED misses an event class"
        declared |= published
    assert set(document["components"]["messages"]) == declared
    assert all(name.count(".") == 3 and name.endswith(".v1") for name in declared)


def test_each_consumer_is_a_receive_operation(specs):
    operations = catalogue(specs)["operations"]
    received = {
        key: sorted(m["$ref"].rsplit("/", 1)[1] for m in op["messages"])
        for key, op in operations.items()
        if op["action"] == "receive"
    }
    assert received["social.stunting-reaction.receive.simpul.health.v1"] == [
        "health.stunting.detected.v1",
        "health.stunting.recovered.v1",
    ]
    for consumer in ("health.posyandu-replica", "social.posyandu-replica"):
        assert len(received[f"{consumer}.receive.simpul.registry.v1"]) == 5
    reaction = operations["social.stunting-reaction.receive.simpul.health.v1"]
    assert reaction["channel"] == {"$ref": "#/channels/simpul.health.v1"}
    assert reaction["bindings"]["kafka"]["groupId"]["const"] == "social.stunting-reaction"


def _event_classes(service: str) -> set[str]:
    """The event types its events module declares, whether or not PUBLISHED lists them, and
    the platform's referral events of a field that takes referrals."""
    field = service.replace("-", "_")  # the service "public-works" is the field public_works
    try:
        module = importlib.import_module(f"simpul_{field}.events")
    except ModuleNotFoundError:
        return set()  # the gateway publishes nothing
    referrals = {e.event_type for e in published_by(field).all()} if field in CATALOGUES else set()
    return referrals | {
        member.event_type
        for _, member in inspect.getmembers(module, inspect.isclass)
        if issubclass(member, EventPayload)
        and "event_type" in vars(member)
        and member.__module__ == module.__name__
    }
