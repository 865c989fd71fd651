"""CloudEvents binary-mode records written without the SDK's to_binary: the same headers as
the SDK writes, read back by the SDK's from_binary, and the relay's records of outbox rows
equal to the envelopes' own, on the partition the producer would have picked; and records
read (or refused) without the SDK's from_binary as it reads (or refuses) them."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka.partitioner import DefaultPartitioner
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary, to_binary
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


def sdk_envelope(key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]) -> Any:
    """What the SDK's from_binary read of a record (the previous parser), as an envelope."""
    if not {"ce_id", "ce_type"} <= {name for name, _ in headers}:
        raise ValueError("not a CloudEvent: ce_id or ce_type header missing")
    event = from_binary(KafkaMessage(dict(headers), key, value or b"null"), JSONFormat())
    attributes = event.get_attributes()
    data = event.get_data()
    data = json.loads(data) if isinstance(data, bytes | str) else data
    if not isinstance(data, dict):
        raise ValueError("event data must be a JSON object")
    core = {"id", "type", "source", "specversion", "time", "datacontenttype", "subject"}
    named = {"partitionkey", "posyanduid", "wilayah", "traceparent"}
    return Envelope(
        id=attributes["id"],
        type=attributes["type"],
        source=attributes["source"],
        time=attributes.get("time") or SOME_TIME,
        data=data,
        subject=attributes.get("subject"),
        posyandu_id=attributes.get("posyanduid"),
        wilayah=attributes.get("wilayah"),
        traceparent=attributes.get("traceparent"),
        extra={k: str(v) for k, v in attributes.items() if k not in core | named},
    )


SOME_TIME = datetime(2026, 12, 1, tzinfo=UTC)
MINIMAL = [("ce_id", b"x1"), ("ce_type", b"t.v1"), ("ce_source", b"/s"), ("ce_specversion", b"1.0")]
READ = {
    "minimal, no time": (MINIMAL, b'{"a": 1}'),
    "text content type": ([*MINIMAL, ("content-type", b"text/plain")], b'{"a": [1, 2]}'),
    "a name twice": ([*MINIMAL, ("ce_type", b"t.v2"), ("ce_wilayah", b"64")], b"{}"),
    "uppercase optional": ([*MINIMAL, ("CE_SUBJECT", b"s/1"), ("ce_recordedby", b"k")], b"{}"),
    "offset time": ([*MINIMAL, ("ce_time", b"2026-06-30T23:59:00.5+08:00")], b"{}"),
    "nanoseconds": ([*MINIMAL, ("ce_time", b"2026-06-30T23:59:00.123456789Z")], b"{}"),
    "other headers": ([*MINIMAL, ("traceparent", b"00-x"), ("x-origin", b"d\xc3\xa9")], b"{}"),
    "no specversion": (MINIMAL[:3], b"{}"),
    "specversion 0.3": ([*MINIMAL[:3], ("ce_specversion", b"0.3")], b"{}"),
}
REFUSED = {
    "no id": (MINIMAL[1:], b"{}"),
    "empty source": ([*MINIMAL[:2], ("ce_source", b""), MINIMAL[3]], b"{}"),
    "specversion 2.0": ([*MINIMAL[:3], ("ce_specversion", b"2.0")], b"{}"),
    "extension name": ([*MINIMAL, ("ce_recorded_by", b"k")], b"{}"),
    "empty subject": ([*MINIMAL, ("ce_subject", b"")], b"{}"),
    "naive time": ([*MINIMAL, ("ce_time", b"2026-01-01T00:00:00")], b"{}"),
    "not a time": ([*MINIMAL, ("ce_time", b"yesterday")], b"{}"),
    "array data": (MINIMAL, b"[1]"),
    "not json": (MINIMAL, b"abc"),
    "no value": (MINIMAL, None),
}


@pytest.mark.parametrize("case", READ)
def test_records_read_as_the_sdk_reads_them(case: str):
    headers, value = READ[case]
    ours = Envelope.from_kafka(b"pos-1", value, headers)
    theirs = sdk_envelope(b"pos-1", value, headers)
    if not any(name == "ce_time" for name, _ in headers):  # both stamp it on reading
        ours, theirs = replace(ours, time=SOME_TIME), replace(theirs, time=SOME_TIME)
    assert ours == theirs


@pytest.mark.parametrize("case", REFUSED)
def test_records_refused_as_the_sdk_refuses_them(case: str):
    headers, value = REFUSED[case]
    with pytest.raises(Exception):  # noqa: B017  # the SDK's validation error is its own
        sdk_envelope(b"pos-1", value, headers)
    with pytest.raises(ValueError):
        Envelope.from_kafka(b"pos-1", value, headers)


def test_a_foreign_header_that_is_not_utf8_does_not_make_a_record_unreadable():
    headers = [*MINIMAL, ("x-origin", b"\xff\xfe")]
    with pytest.raises(UnicodeDecodeError):
        sdk_envelope(b"pos-1", b"{}", headers)
    assert Envelope.from_kafka(b"pos-1", b"{}", headers).id == "x1"
