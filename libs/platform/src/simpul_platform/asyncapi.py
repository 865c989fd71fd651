"""AsyncAPI 3.0 document of every topic and event type, generated from the producers' own
``EventPayload`` classes (``send`` operations) and the services' consumers (``receive``
operations, one per consumer and topic), so the catalogue cannot drift from the code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic.json_schema import models_json_schema

from simpul_platform.consumer import Consumer
from simpul_platform.events import (
    EXTENSION_POSYANDU,
    EXTENSION_TRACEPARENT,
    EXTENSION_WILAYAH,
    EventPayload,
)
from simpul_platform.kafka import DEAD_LETTER_PREFIX
from simpul_platform.kafka_acls import personal_fields, public_topics

ASYNCAPI_VERSION = "3.0.0"


def _headers_schema(event_type: str, service: str) -> dict[str, Any]:
    def text(description: str, **extra: Any) -> dict[str, Any]:
        return {"type": "string", "description": description, **extra}

    return {
        "type": "object",
        "required": ["ce_id", "ce_type", "ce_source", "ce_specversion", "ce_time"],
        "properties": {
            "ce_id": text("Event id; consumers deduplicate on it"),
            "ce_type": text("Event type", const=event_type),
            "ce_source": text("Producing service", const=f"/simpul/{service}"),
            "ce_specversion": text("CloudEvents version", const="1.0"),
            "ce_time": text("When it happened (RFC 3339)", format="date-time"),
            "ce_subject": text("The aggregate the event is about"),
            "content-type": text("Media type of the value", const="application/json"),
            f"ce_{EXTENSION_POSYANDU}": text("Posyandu id (also the record key)"),
            f"ce_{EXTENSION_WILAYAH}": text("Kemendagri desa code of the posyandu"),
            f"ce_{EXTENSION_TRACEPARENT}": text("W3C trace context of the originating request"),
        },
    }


def _message_id(event_type: str) -> str:
    # Component keys allow only [A-Za-z0-9._-]; type names already fit.
    return event_type


def asyncapi_document(
    events_by_service: Mapping[str, Sequence[type[EventPayload]]],
    consumers_by_service: Mapping[str, Sequence[Consumer]] | None = None,
    *,
    title: str = "Simpul events",
    version: str = "1.0.0",
    kafka_host: str = "127.0.0.1:9092",
) -> dict[str, Any]:
    """The document for the given services' published event types and their consumers.

    Raises ValueError when a consumer receives an event type none of the services publishes
    on the topic its view names."""
    mode: Literal["validation"] = "validation"
    models = [(event, mode) for events in events_by_service.values() for event in events]
    keyed, definitions = models_json_schema(models, ref_template="#/components/schemas/{model}")
    schemas = dict(definitions.get("$defs", {}))
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for service, events in events_by_service.items():
        for event in events:
            message_id = _message_id(event.event_type)
            payload_ref = keyed[(event, mode)]
            messages[message_id] = {
                "name": event.event_type,
                "title": event.event_type,
                "summary": (event.__doc__ or event.event_type).strip().splitlines()[0],
                "contentType": "application/json",
                "headers": _headers_schema(event.event_type, service),
                "payload": payload_ref,
                "bindings": {"kafka": {"key": {"type": "string", "description": "posyandu id"}}},
            }
            if event.example is not None:
                messages[message_id]["examples"] = [{"name": "example", "payload": event.example}]
            channel = channels.setdefault(
                event.topic,
                {
                    "address": event.topic,
                    "description": f"Events of the {service} service, keyed by posyandu id.",
                    "messages": {},
                },
            )
            channel["messages"][message_id] = {"$ref": f"#/components/messages/{message_id}"}
        for topic in {event.topic for event in events}:
            operations[f"{service}.publish.{topic}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{topic}"},
                "messages": [
                    {"$ref": f"#/channels/{topic}/messages/{_message_id(e.event_type)}"}
                    for e in events
                    if e.topic == topic
                ],
            }
    for service, consumers in (consumers_by_service or {}).items():
        for consumer in consumers:
            operations.update(_receive_operations(service, consumer, channels))
    _mark_public(channels, [e for events in events_by_service.values() for e in events])
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": title,
            "version": version,
            "description": (
                "Every Simpul topic and event type. Records are CloudEvents 1.0 in Kafka binary "
                "mode: attributes in ce_* headers, the JSON data as the value, the posyandu id "
                "as the key. No NIK, No. KK or names: people appear as keyed pseudonyms "
                "(person_ref, household_ref). A breaking change gets a new .vN type."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {"local": {"host": kafka_host, "protocol": "kafka"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _mark_public(channels: Mapping[str, Any], events: Sequence[type[EventPayload]]) -> None:
    """``x-simpul-public``: whether systems outside Simpul may read the topic (the Kafka
    principal simpul-external is granted exactly these); ``x-simpul-person-level-fields``:
    why not (simpul_platform.kafka_acls says what counts)."""
    public = public_topics(events)
    for topic, channel in channels.items():
        fields = set().union(*(personal_fields(e) for e in events if e.topic == topic))
        channel["x-simpul-public"] = topic in public
        if fields:
            channel["x-simpul-person-level-fields"] = sorted(fields)


def _receive_operations(
    service: str, consumer: Consumer, channels: Mapping[str, Any]
) -> dict[str, Any]:
    """One ``receive`` operation per topic ``consumer`` subscribes to, listing its types."""
    operations: dict[str, Any] = {}
    for topic in consumer.topics:
        types = [t for t, s in consumer.by_type.items() if s.view.topic == topic]
        published = channels.get(topic, {}).get("messages", {})
        if missing := [t for t in types if _message_id(t) not in published]:
            raise ValueError(
                f"{consumer.name} receives {missing}, which nothing publishes on {topic}"
            )
        operations[f"{consumer.name}.receive.{topic}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{topic}"},
            "summary": f"The {service} service's {consumer.name} consumer.",
            "description": (
                f"Consumer group {consumer.name}; a record it can never handle goes to "
                f"{DEAD_LETTER_PREFIX}{consumer.name}. Other types on the topic are ignored."
            ),
            "bindings": {"kafka": {"groupId": {"type": "string", "const": consumer.name}}},
            "messages": [
                {"$ref": f"#/channels/{topic}/messages/{_message_id(t)}"} for t in sorted(types)
            ],
        }
    return operations
