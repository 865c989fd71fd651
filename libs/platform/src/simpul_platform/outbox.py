"""Transactional outbox: an event row committed with the state change it describes.

``Outbox.add`` writes the row in the caller's session; ``OutboxRelay`` (relay.py) publishes
committed rows to Kafka. A rolled-back transaction leaves no row, so it never publishes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic_core import to_json
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.ext.asyncio import AsyncSession as SAAsyncSession

from simpul_platform import context
from simpul_platform.db import bulk_insert, platform_metadata
from simpul_platform.events import Envelope, EventPayload, new_id
from simpul_platform.settings import ServiceSettings

outbox_table = Table(
    "outbox",
    platform_metadata,
    # Publication order; SQLite only auto-increments a plain INTEGER primary key.
    Column(
        "seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("topic", String(249), nullable=False),
    Column("event_key", String(200), nullable=True),
    Column("event_type", String(200), nullable=False),
    Column("source", String(200), nullable=False),
    Column("subject", String(200), nullable=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("wilayah", String(40), nullable=True),
    Column("traceparent", String(55), nullable=True),
    Column("data", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
)
# The relay only ever looks for unsent rows, in order.
Index(
    "ix_outbox_pending",
    outbox_table.c.seq,
    postgresql_where=outbox_table.c.sent_at.is_(None),
    sqlite_where=outbox_table.c.sent_at.is_(None),
)


class Outbox:
    """Writes events of one service into its outbox table."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self.source = f"/simpul/{settings.service_name}"

    def envelope(
        self,
        payload: EventPayload,
        *,
        posyandu_id: str | None = None,
        wilayah: str | None = None,
        subject: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        """The envelope of ``payload``; key and wilayah come from the payload's own fields
        (``EventPayload.key_field``/``wilayah_field``) unless given."""
        return self.envelope_of(
            payload.event_type,
            payload.model_dump(mode="json"),
            posyandu_id=posyandu_id if posyandu_id is not None else payload.envelope_key(),
            wilayah=wilayah if wilayah is not None else payload.envelope_wilayah(),
            subject=subject,
            occurred_at=occurred_at,
        )

    def envelope_of(
        self,
        event_type: str,
        data: dict[str, Any],
        *,
        posyandu_id: str | None,
        wilayah: str | None = None,
        subject: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        """An envelope around ``data`` that is already the payload's JSON form (what
        ``model_dump(mode="json")`` gives): for bulk paths that build it without a second
        pydantic validation. The caller answers for its shape."""
        return Envelope(
            id=new_id(),
            type=event_type,
            source=self.source,
            time=occurred_at or datetime.now(UTC),
            data=data,
            subject=subject,
            posyandu_id=posyandu_id,
            wilayah=wilayah,
            traceparent=context.traceparent.get(),
        )

    async def add(
        self,
        session: SAAsyncSession,
        payload: EventPayload,
        *,
        posyandu_id: str | None = None,
        wilayah: str | None = None,
        subject: str | None = None,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        """Queue one event in the caller's transaction; returns its envelope (with its id)."""
        envelope = self.envelope(
            payload,
            posyandu_id=posyandu_id,
            wilayah=wilayah,
            subject=subject,
            occurred_at=occurred_at,
        )
        await self.add_many(session, [(payload.topic, envelope)])
        return envelope

    async def add_many(self, session: SAAsyncSession, events: list[tuple[str, Envelope]]) -> None:
        """Queue many events in one statement (bulk endpoints): (logical topic, envelope)."""
        if not events:
            return
        now = datetime.now(UTC)
        rows = [
            {
                "event_id": envelope.id,
                "topic": self.settings.topic(topic),
                "event_key": envelope.posyandu_id,
                "event_type": envelope.type,
                "source": envelope.source,
                "subject": envelope.subject,
                "occurred_at": envelope.time,
                "wilayah": envelope.wilayah,
                "traceparent": envelope.traceparent,
                # Compact JSON, encoded by pydantic-core (several times faster than json.dumps).
                "data": to_json(envelope.data).decode(),
                "created_at": now,
                "attempts": 0,
            }
            for topic, envelope in events
        ]
        await bulk_insert(session, outbox_table, rows)
