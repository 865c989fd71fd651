"""SQLite's aiosqlite connections, with fewer trips between threads.

aiosqlite runs every call (a cursor's creation, each statement, each fetch, the cursor's
closing, a commit) on a thread of its own and wakes the event loop when it is done: four trips
for a SELECT through SQLAlchemy. A SQLite statement takes microseconds and each trip many
times that, so a busy SQLite service spends most of its database CPU handing work between
threads. Two connections that take fewer trips, for ``Database``:

- ``ServiceConnection`` (every SQLite engine but a batch process's): what can wait for
  another process's write lock (a statement, commit, rollback) still runs on the thread, so
  the event loop never stops for a lock; creating and closing a cursor and fetching the rows
  a statement has already found run on the loop's thread. One trip a statement.
- ``BatchConnection`` (``Database(..., batch=True)``, a demo loader): everything on the loop's
  thread. A batch process waits for its statements anyway. A service must not: a statement
  waiting for a lock would stop its loop, with every request and a transaction of its own
  that holds the lock on another pooled connection.

Each connection is used by one coroutine at a time (SQLAlchemy's pool and its adapter's
mutex), so its thread and the loop's never touch it at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterable
from functools import partial
from typing import Any

import aiosqlite
from aiosqlite.context import Result


class _LoopCursor(aiosqlite.Cursor):
    """Fetches and closes on the loop's thread; ``execute`` is the connection's trip."""

    async def fetchone(self) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._cursor.fetchone()
        return row

    async def fetchmany(self, size: int | None = None) -> Iterable[sqlite3.Row]:
        return self._cursor.fetchmany(*(() if size is None else (size,)))

    async def fetchall(self) -> Iterable[sqlite3.Row]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class ServiceConnection(aiosqlite.Connection):
    """aiosqlite's connection whose cursors are made, read and closed without a trip."""

    def cursor(self) -> Result[aiosqlite.Cursor]:
        return Result(self._loop_cursor())

    async def _loop_cursor(self) -> aiosqlite.Cursor:
        return _LoopCursor(self, self._conn.cursor())


class _RunAtOnce:
    """A batch connection's work queue: runs a call as it is put and settles its future
    (SQLAlchemy's dialect puts some calls on the queue itself)."""

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # the caller awaits the future and sees it raised
            if future is not None:
                future.set_exception(error)
        else:
            if future is not None:
                future.set_result(result)


class BatchConnection(aiosqlite.Connection):
    """An aiosqlite connection without its thread: each call runs when it is awaited."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._tx = _RunAtOnce()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()


def service_connect(
    database: str, *, iter_chunk_size: int = 64, **kwargs: Any
) -> ServiceConnection:
    """What ``aiosqlite.connect`` returns, for SQLAlchemy's ``async_creator_fn``: its thread
    made a daemon, as SQLAlchemy's own dialect does (a forgotten connection never holds up
    the interpreter's exit)."""
    kwargs["check_same_thread"] = False  # the loop's thread reads what the connection's found
    connection = ServiceConnection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size)
    connection._thread.daemon = True
    return connection


def batch_connect(database: str, *, iter_chunk_size: int = 64, **kwargs: Any) -> BatchConnection:
    """What ``aiosqlite.connect`` returns, for SQLAlchemy's ``async_creator_fn``."""
    return BatchConnection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size)
