"""CloudEvents binary-mode records written without the SDK's to_binary: the same headers as
the SDK writes, read back by the SDK's from_binary, and the relay's records of outbox rows
equal to the envelopes' own, on the partition the producer would have picked."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka.partitioner import DefaultPartitioner
from cloudevents.core.bindings.kafka import to_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from pydantic_core import to_json

from simpul_platform.events import JSON, Envelope
from simpul_platform.relay_rounds import key_partition, record

pytestmark = pytest.mark.unit

WITA = timezone(timedelta(hours=8))


def envelopes() -> list[Envelope]:
    base = Envelope(
        id="6f1c9a52-3c4e-4b7a-9a51-0d2f8c1e2b3a",
        type="health.stunting.detected.v1",
        source="/simpul/health",
        time=datetime(2026, 11, 5, 3, 4, 5, 123456, tzinfo=UTC),
        data={"haz": -2.31, "desa": "Loa Janan Ilir", "flags": ["a", "ß"], "nested": {"n": None}},
        subject="measurement/1",
        posyandu_id="0b3f…-posyandu",
        wilayah="64.02.06.2001",
        traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01",
    )
    return [
        base,
        Envelope(id="e2", type="t.v1", source="/s", time=datetime(2026, 1, 1, tzinfo=UTC), data={}),
        Envelope(
            id="e3",
            type="t.v1",
            source="/s",
            time=datetime(2026, 6, 30, 23, 59, tzinfo=WITA),  # not UTC: kept with its offset
            data={"x": 1},
            wilayah="64",
            extra={"dataschema": "urn:x", "recordedby": "kader-7"},
        ),
    ]


def sdk_record(envelope: Envelope) -> tuple[bytes | None, bytes, dict[str, bytes]]:
    """What the CloudEvents SDK's to_binary makes of the envelope (the previous encoder)."""
    attributes: dict[str, Any] = {
        "id": envelope.id,
        "type": envelope.type,
        "source": envelope.source,
        "specversion": "1.0",
        "time": envelope.time,
        "datacontenttype": JSON,
    }
    if envelope.subject:
        attributes["subject"] = envelope.subject
    attributes |= {name: value for name, value in envelope.extensions.items() if value}
    message = to_binary(CloudEvent(attributes, envelope.data), JSONFormat(), lambda _: None)
    return envelope.key, message.value, dict(message.headers)


@pytest.mark.parametrize("envelope", envelopes(), ids=lambda e: e.id[:2])
def test_headers_are_the_sdks_and_the_sdk_reads_the_record_back(envelope: Envelope):
    key, value, headers = envelope.to_kafka()
    sdk_key, sdk_value, sdk_headers = sdk_record(envelope)
    assert key == sdk_key
    assert dict(headers) == sdk_headers and len(headers) == len(sdk_headers)
    assert json.loads(value) == json.loads(sdk_value) == envelope.data
    assert Envelope.from_kafka(key, value, headers) == envelope


def test_the_relay_sends_an_outbox_row_as_its_envelope_with_the_stored_json_as_is():
    envelope = envelopes()[0]
    stored = to_json(envelope.data).decode()  # as Outbox.add_many stores it
    row = SimpleNamespace(
        event_id=envelope.id,
        event_type=envelope.type,
        source=envelope.source,
        subject=envelope.subject,
        occurred_at=envelope.time.replace(tzinfo=None),  # as SQLite returns it
        event_key=envelope.posyandu_id,
        wilayah=envelope.wilayah,
        traceparent=envelope.traceparent,
        data=stored,
    )
    # The relay's PRODUCER span gives the record its traceparent; the same one here.
    key, value, headers = record(row, envelope.traceparent)  # type: ignore[arg-type]
    assert (key, value, headers) == envelope.to_kafka()
    assert value == stored.encode()
    assert Envelope.from_kafka(key, value, headers) == envelope


def test_the_relay_puts_a_key_on_the_partition_the_default_partitioner_picks():
    keys = [str(uuid.UUID(int=i * 7919)).encode() for i in range(500)] + [b"", b"x", b"64.02"]
    for partitions in (1, 3, 12):
        every = list(range(partitions))
        for key in keys:
            assert key_partition(key, partitions) == DefaultPartitioner()(key, every, every)
