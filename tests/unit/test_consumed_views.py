"""Every consumer's view reads its producer's example payload, so a producer cannot change an
event in a way that breaks a consumer without this test failing; and every view names an event
type some service publishes, on the topic the view names."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from pydantic import ValidationError

from simpul_platform.app import ServiceSpec
from simpul_platform.consumer import Consumer, Subscription
from simpul_platform.events import EventPayload, TolerantPayload
from simpul_platform.settings import ServiceSettings

pytestmark = pytest.mark.unit


def contract_breaches(specs: Mapping[str, ServiceSpec]) -> list[str]:
    """What is wrong between the consumers' views and the producers' examples (nothing: [])."""
    producers = {e.event_type: e for spec in specs.values() for e in spec.published_events}
    breaches: list[str] = []
    for service, spec in specs.items():
        for consumer in spec.consumers:
            for subscription in consumer.subscriptions:
                where = f"{service} {consumer.name} {subscription.view.__name__}"
                producer = producers.get(subscription.event_type)
                breaches += [f"{where}: {b}" for b in _breaches(subscription, producer)]
    return breaches


def _breaches(
    subscription: Subscription[TolerantPayload], producer: type[EventPayload] | None
) -> list[str]:
    event_type, topic = subscription.event_type, subscription.view.topic
    if producer is None:
        return [f"no service publishes {event_type}"]
    if producer.topic != topic:
        return [f"{event_type} is published on {producer.topic}, not {topic}"]
    if producer.example is None:
        return [f"{producer.__name__} ({event_type}) has no example payload"]
    try:
        subscription.view.model_validate(producer.example)
    except ValidationError as exc:
        return [f"cannot read the example of {event_type}: {exc}"]
    return []


def test_every_consumed_view_reads_its_producers_example(specs):
    assert contract_breaches(specs) == []
    consumed = {
        s.event_type for spec in specs.values() for c in spec.consumers for s in c.subscriptions
    }
    assert {"registry.posyandu.registered.v1", "health.stunting.detected.v1"} <= consumed


def test_every_example_is_a_payload_as_it_travels(specs):
    for spec in specs.values():
        for event in spec.published_events:
            if event.example is not None:
                payload = event.model_validate(event.example).model_dump(mode="json")
                assert payload == event.example, event.event_type


class Vanished(TolerantPayload):
    event_type = "health.child.vanished.v1"
    topic = "simpul.health.v1"


class Moved(TolerantPayload):
    event_type = "health.stunting.detected.v1"
    topic = "simpul.social.v1"


class Stricter(TolerantPayload):
    event_type = "health.stunting.detected.v1"
    topic = "simpul.health.v1"
    weight_kg: float  # the producer does not send it


async def _ignore(session: object, view: TolerantPayload, event: object) -> None:
    return None


@pytest.mark.parametrize(
    ("view", "breach"),
    [
        (Vanished, "no service publishes health.child.vanished.v1"),
        (Moved, "is published on simpul.health.v1, not simpul.social.v1"),
        (Stricter, "cannot read the example of health.stunting.detected.v1"),
    ],
)
def test_a_view_the_producers_do_not_match_is_a_breach(specs, view, breach):
    consumer = Consumer("probe.consumer", [Subscription(view, _ignore)])
    probe = ServiceSpec(ServiceSettings(), "Probe", "A consumer out of step", consumers=[consumer])
    [found] = contract_breaches({**specs, "probe": probe})
    assert found.startswith(f"probe probe.consumer {view.__name__}: ") and breach in found
