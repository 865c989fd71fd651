"""Integration events: typed payloads, the CloudEvents 1.0 binary-mode envelope on Kafka.

A producer declares each event it publishes as an ``EventPayload`` subclass with an explicit,
versioned, past-tense ``event_type`` (``health.child.measured.v1``) and its logical
``topic`` (``simpul.health.v1``). The class name is never the contract. Consumers parse
``data`` with their own tolerant models.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict
from pydantic_core import to_json

JSON = "application/json"
EXTENSION_POSYANDU = "posyanduid"
EXTENSION_WILAYAH = "wilayah"
EXTENSION_TRACEPARENT = "traceparent"
_JSON_BYTES = JSON.encode()


def new_id() -> str:
    """A random (version 4) UUID as its canonical string, like ``str(uuid.uuid4())`` at less
    than half the cost: bulk uploads make two per item (the row's id and its event's id)."""
    h = os.urandom(16).hex()
    # Version nibble 4; variant bits 10 (the top two bits of the 17th hex digit).
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


class EventPayload(BaseModel):
    """The ``data`` of one published event type. Subclasses set ``event_type`` and ``topic``.

    ``key_field`` and ``wilayah_field`` name the payload fields the envelope's posyandu key and
    wilayah extension are taken from, so a publish site never repeats them; a payload without
    such a field sets the class variable to None.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_type: ClassVar[str]
    topic: ClassVar[str]
    # A payload as it travels (JSON), shown in the catalogue; consumers' tests read their views
    # of it, so a producer cannot break a consumer silently.
    example: ClassVar[dict[str, Any] | None] = None
    key_field: ClassVar[str | None] = "posyandu_id"
    wilayah_field: ClassVar[str | None] = "desa_code"

    def envelope_key(self) -> str | None:
        """The posyandu id this event is keyed by (events of one posyandu stay in order)."""
        return _field_text(self, self.key_field)

    def envelope_wilayah(self) -> str | None:
        """The desa code the event happened in."""
        return _field_text(self, self.wilayah_field)


def _field_text(payload: BaseModel, name: str | None) -> str | None:
    value = getattr(payload, name, None) if name else None
    return None if value is None else str(value)


class TolerantPayload(BaseModel):
    """Base for a consumer's view of someone else's event: unknown fields are ignored.

    A view a consumer subscribes with names the event it reads: the producer's ``event_type``
    and the producer's logical ``topic`` (the deployment's namespace is applied at runtime).
    """

    model_config = ConfigDict(extra="ignore")

    event_type: ClassVar[str]
    topic: ClassVar[str]


@dataclass(frozen=True)
class Envelope:
    """One event as it travels: CloudEvents attributes plus the JSON data."""

    id: str
    type: str
    source: str
    time: datetime
    data: dict[str, Any]
    subject: str | None = None
    posyandu_id: str | None = None
    wilayah: str | None = None
    traceparent: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> bytes | None:
        """Kafka key: the posyandu id, so one posyandu's events stay in order."""
        return self.posyandu_id.encode() if self.posyandu_id else None

    def to_kafka(self) -> tuple[bytes | None, bytes, list[tuple[str, bytes]]]:
        """(key, value, headers) in CloudEvents binary content mode; the value is the data as
        compact JSON."""
        headers = binary_headers(
            id=self.id,
            type=self.type,
            source=self.source,
            time=self.time,
            subject=self.subject,
            extensions=self.extensions,
        )
        return self.key, to_json(self.data), headers

    @property
    def extensions(self) -> dict[str, str | None]:
        """The CloudEvents extension attributes (absent ones as None)."""
        return {
            EXTENSION_POSYANDU: self.posyandu_id,
            EXTENSION_WILAYAH: self.wilayah,
            EXTENSION_TRACEPARENT: self.traceparent,
            **self.extra,
        }

    @classmethod
    def from_kafka(
        cls, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> Envelope:
        """Parse a binary-mode record; raises ValueError when it is not a CloudEvent 1.0 with
        a JSON object as its data. The key (the SDK's ``partitionkey``) is not read."""
        attributes = binary_attributes(headers)
        data = json.loads(value or b"null")
        if not isinstance(data, dict):
            raise ValueError("event data must be a JSON object")
        pop = attributes.pop
        for name in _NOT_EXTRA:
            pop(name, None)
        return cls(
            id=pop("id"),
            type=pop("type"),
            source=pop("source"),
            time=pop("time", None) or datetime.now(UTC),
            data=data,
            subject=pop("subject", None),
            posyandu_id=pop(EXTENSION_POSYANDU, None),
            wilayah=pop(EXTENSION_WILAYAH, None),
            traceparent=pop(EXTENSION_TRACEPARENT, None),
            extra=attributes,
        )


# Context attributes an envelope does not keep (``partitionkey`` is the SDK's name for the key).
_NOT_EXTRA = ("specversion", "datacontenttype", "partitionkey")
_REQUIRED = ("id", "type", "source")
_VERSIONS = ("1.0", "0.3")  # the SDK's; its attributes are 1.0's but for ones no one sends
_OPTIONAL = ("subject", "datacontenttype", "dataschema")
_EXTENSION_NAME = re.compile(r"[a-z0-9]+")
_CHECKED = {"specversion", "time", *_REQUIRED, *_OPTIONAL, *_NOT_EXTRA}
_CHECKED |= {EXTENSION_POSYANDU, EXTENSION_WILAYAH, EXTENSION_TRACEPARENT}  # valid names


def binary_attributes(headers: Iterable[tuple[str, bytes]]) -> dict[str, Any]:
    """The CloudEvents 1.0 context attributes of a Kafka binary-mode record's headers, checked
    as the SDK's ``from_binary`` checks them: ``ce_<name>`` headers (the last of a name wins),
    ``content-type`` as the datacontenttype, no specversion as 1.0, ``time`` as a
    timezone-aware datetime. Unlike the SDK, headers of other names are not decoded, so a
    foreign header that is not UTF-8 does not make the record unreadable.

    Read here rather than through the SDK, which built and validated an event object for every
    record (~33 µs each, a consumer's largest cost per event after its handler); a unit test
    holds the two equal, record for record and refusal for refusal."""
    attributes: dict[str, Any] = {}
    for name, raw in headers:
        name = name.lower()
        if name.startswith("ce_"):
            attributes[name[3:]] = bytes(raw).decode()
        elif name == "content-type":
            attributes["datacontenttype"] = bytes(raw).decode()
    for name in _REQUIRED:
        if not attributes.get(name):
            raise ValueError(f"not a CloudEvent: ce_{name} header missing or empty")
    if attributes.setdefault("specversion", "1.0") not in _VERSIONS:
        raise ValueError(f"CloudEvents version {attributes['specversion']!r} is not read here")
    for name in _OPTIONAL:
        if name in attributes and not attributes[name]:
            raise ValueError(f"CloudEvent attribute {name!r} must not be empty")
    for name in attributes.keys() - _CHECKED:
        if name == "data" or not _EXTENSION_NAME.fullmatch(name):
            raise ValueError(f"CloudEvent extension {name!r}: lowercase letters and digits only")
    if "time" in attributes:
        attributes["time"] = _time(attributes["time"])
    return attributes


def _time(stamp: str) -> datetime:
    """An RFC 3339 timestamp, as the spec has it (``fromisoformat`` reads every one)."""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        raise ValueError("CloudEvent attribute 'time' must be timezone aware")
    return moment


def binary_headers(
    *,
    id: str,
    type: str,
    source: str,
    time: datetime,
    subject: str | None,
    extensions: Mapping[str, str | None],
) -> list[tuple[str, bytes]]:
    """The CloudEvents 1.0 Kafka binary-mode headers of a JSON event: ``ce_<attribute>`` for
    each context attribute and extension that has a value, ``content-type`` for its
    datacontenttype.

    Written out here rather than through the SDK's ``to_binary``, which validated and
    re-serialised every event (~40 µs each, most of the relay's own CPU per event); a test holds
    the two equal header for header, and the SDK's ``from_binary`` reading them back."""
    stamp = time.isoformat()
    if stamp.endswith("+00:00"):
        stamp = stamp[:-6] + "Z"
    headers = [
        ("ce_id", id.encode()),
        ("ce_type", type.encode()),
        ("ce_source", source.encode()),
        ("ce_specversion", b"1.0"),
        ("ce_time", stamp.encode()),
        ("content-type", _JSON_BYTES),
    ]
    if subject:
        headers.append(("ce_subject", subject.encode()))
    headers.extend((f"ce_{name}", value.encode()) for name, value in extensions.items() if value)
    return headers
