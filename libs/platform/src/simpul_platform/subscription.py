"""What a service consumes, declared: a ``Subscription`` per consumed event type (the
consumer's own view of it and the handler the parsed view goes to), and a ``Consumer``
naming its group and deriving its topics and handler maps from its subscriptions. The runner
that drives them is ``simpul_platform.consumer``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue
from pydantic import ValidationError
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform import context, tracing
from simpul_platform.events import Envelope, TolerantPayload


class PoisonMessage(Exception):
    """A record that can never be handled (not a CloudEvent, bad data)."""


V = TypeVar("V", bound=TolerantPayload)
V_co = TypeVar("V_co", bound=TolerantPayload, covariant=True)


class Received(NamedTuple, Generic[V_co]):
    """One event of a batch handler's run: the subscriber's view of its data, and the event."""

    view: V_co
    event: Envelope


Handler = Callable[[AsyncSession, V, Envelope], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, Sequence[Received[V]]], Awaitable[None]]


@dataclass(frozen=True)
class Subscription(Generic[V]):
    """One consumed event type: the consumer's view of it (a ``TolerantPayload`` naming the
    producer's ``event_type`` and ``topic``), the handler the parsed view is given to, and
    optionally a batch handler for runs of it (the per-record handler is what a failed batch
    falls back to)."""

    view: type[V]
    handler: Handler[V]
    batch_handler: BatchHandler[V] | None = None

    @property
    def event_type(self) -> str:
        return self.view.event_type

    def parse(self, envelope: Envelope) -> V:
        """The view of ``envelope``'s data; a PoisonMessage when it does not fit (no retry
        can make it fit: the record goes to the dead-letter topic)."""
        try:
            return self.view.model_validate(envelope.data)
        except ValidationError as exc:
            unfit = f"{envelope.type} does not fit {self.view.__name__}: {exc}"
            raise PoisonMessage(unfit) from exc


class Consumer:
    """What a service consumes: a name (its group id) and its subscriptions, from which the
    logical topics and the handlers by event type follow.

    Event types without a subscription are acknowledged and ignored, so producers can add types.
    """

    def __init__(self, name: str, subscriptions: Sequence[Subscription[Any]]) -> None:
        self.name = name
        self.subscriptions = tuple(subscriptions)
        self.by_type: dict[str, Subscription[Any]] = {}
        for subscription in self.subscriptions:
            event_type = getattr(subscription.view, "event_type", None)
            if not event_type or not getattr(subscription.view, "topic", None):
                raise ValueError(f"{subscription.view.__name__} names no event_type and topic")
            if event_type in self.by_type:
                raise ValueError(f"{name} subscribes to {event_type} twice")
            self.by_type[event_type] = subscription
        self.topics = list(dict.fromkeys(s.view.topic for s in self.subscriptions))
        # Each batched type's handler: consecutive events of types sharing one form one run.
        self.batched: dict[str, object] = {
            t: s.batch_handler for t, s in self.by_type.items() if s.batch_handler
        }

    def __repr__(self) -> str:
        return f"Consumer({self.name!r}, {sorted(self.by_type)})"


@contextmanager
def handling(envelope: Envelope) -> Iterator[None]:
    """The event's id in the logging context and its CONSUMER span current while its effects
    are made, the child of the record's ``ce_traceparent`` (a batch handler wraps each event's
    work in it, so the events it emits continue the trace as the span's children)."""
    event_token = context.event_id.set(envelope.id)
    try:
        tracer = tracing.current()
        with tracer.span(
            f"process {envelope.type}",
            tracing.parse_traceparent(envelope.traceparent),
            kind=SpanKind.CONSUMER,
            attributes=_consumer_attributes(envelope) if tracer.recording else None,
        ):
            yield
    finally:
        context.event_id.reset(event_token)


def _consumer_attributes(envelope: Envelope) -> dict[str, AttributeValue]:
    return tracing.attributes_of(
        {
            "messaging.system": "kafka",
            "messaging.operation.type": "process",
            "messaging.message.id": envelope.id,
            "messaging.kafka.message.key": envelope.posyandu_id,
            "cloudevents.event_type": envelope.type,
            "cloudevents.event_source": envelope.source,
        }
    )
