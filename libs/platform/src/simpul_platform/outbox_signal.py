"""Commits that wrote outbox rows, heard as they happen, so the relay publishes them without
waiting for its next poll (PostgreSQL's LISTEN/NOTIFY).

A statement-level trigger on the outbox notifies ``CHANNEL``. PostgreSQL delivers a
transaction's notifications when it commits (one per transaction, however many rows), and
never those of one rolled back: a notification means committed rows are waiting. The relay
listens on one connection of its own and, while it hears, polls only now and then as a safety
net; when it cannot listen (SQLite, or the connection lost) it polls as before. Nothing depends
on a notification arriving: a lost one delays rows by one poll, never loses them.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from sqlalchemy import DDL, Table, event
from sqlalchemy.ext.asyncio import AsyncConnection

from simpul_platform.db import Database

CHANNEL = "simpul_outbox"
NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION simpul_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END
$$
"""
NOTIFY_TRIGGER = (
    "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox "
    "FOR EACH STATEMENT EXECUTE FUNCTION simpul_outbox_notify()"
)


def notify_on_insert(outbox: Table) -> None:
    """Create the trigger with the table where ``create_all`` makes it (the quick start and
    the toy service; migrated databases get it from revision ``platform_0002``)."""
    for statement in (NOTIFY_FUNCTION, NOTIFY_TRIGGER):
        ddl = DDL(statement).execute_if(dialect="postgresql")  # type: ignore[no-untyped-call]
        event.listen(outbox, "after_create", ddl)


class CommitSignal:
    """The relay's ear for ``CHANNEL``: one pooled connection held while it listens."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._connection: AsyncConnection | None = None
        self._driver: Any = None
        self._heard = asyncio.Event()

    @property
    def listening(self) -> bool:
        return self._driver is not None and not self._driver.is_closed()

    async def listen(self) -> bool:
        """Listen if not listening yet (or any more); whether it now listens. Never on SQLite;
        raises what connecting raises."""
        if not self.db.is_postgres or self.listening:
            return self.listening
        await self.close()
        connection = await self.db.engine.connect()
        try:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            await driver.add_listener(CHANNEL, self._hear)  # type: ignore[union-attr]
            # Its end wakes the relay too: the round after it listens again.
            driver.add_termination_listener(self._hear)  # type: ignore[union-attr]
        except BaseException:
            await _discard(connection)
            raise
        self._connection, self._driver = connection, driver
        self._heard.set()  # what was committed while no one listened
        return True

    def _hear(self, *_: Any) -> None:
        self._heard.set()

    async def wait(self, timeout: float) -> None:
        """Until a commit that wrote outbox rows is heard, or ``timeout``. What is heard
        before the round that follows is that round's to read; what comes during it wakes
        the next wait at once."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._heard.wait(), timeout)
        self._heard.clear()

    async def close(self) -> None:
        connection, self._connection, self._driver = self._connection, None, None
        if connection is not None:
            await _discard(connection)


async def _discard(connection: AsyncConnection) -> None:
    """Close the connection rather than pool it: it listens, and may be broken."""
    with contextlib.suppress(Exception):
        await connection.invalidate()
    with contextlib.suppress(Exception):
        await connection.close()
