"""The consumers' inbox: one row per (consumer, event id) applied, written in the same
transaction as the event's effects, so a redelivered event finds its row and is skipped."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, DateTime, String, Table, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_platform.db import Database, platform_metadata
from simpul_platform.events import Envelope

inbox_table = Table(
    "inbox",
    platform_metadata,
    Column("consumer", String(120), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("event_type", String(200), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)


async def claim(
    session: AsyncSession,
    db: Database,
    consumer: str,
    envelopes: Sequence[Envelope],
    handled_types: Collection[str],
) -> set[str]:
    """Insert the inbox rows of the handled types in one statement; the ids newly claimed."""
    moment = datetime.now(UTC)
    rows = {
        envelope.id: {
            "consumer": consumer,
            "event_id": envelope.id,
            "event_type": envelope.type,
            "processed_at": moment,
        }
        for envelope in envelopes
        if envelope.type in handled_types
    }
    if not rows:
        return set()
    statement: Any
    if db.is_postgres:
        statement = pg_insert(inbox_table).on_conflict_do_nothing()
    elif db.dialect == "sqlite":
        statement = sqlite_insert(inbox_table).on_conflict_do_nothing()
    else:  # no upsert: a repeat fails the insert, and the one-record path dead-letters it
        statement = insert(inbox_table)
    result = await session.execute(statement.returning(inbox_table.c.event_id), list(rows.values()))
    return set(result.scalars())
