"""SQLite for a batch process: its statements run on the event loop's own thread.

aiosqlite runs every call (each statement, fetch, commit) on a thread of its own and wakes the
event loop when it is done. A SQLite statement takes microseconds, the two thread switches
around it many times that, so a process that writes a great deal (a demo loader) spends most
of its CPU handing work between threads.

A batch process waits for its statements anyway, so it can run them where it stands:
``batch_connect`` makes an aiosqlite connection that calls SQLite directly, for
``Database(..., batch=True)``. A service must not: a statement waiting for another process's
write lock (``busy_timeout``) would stop its event loop, and with it every request and a
transaction of its own that holds the lock on another pooled connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import aiosqlite


class _RunAtOnce:
    """The connection's work queue, which runs a call as it is put and settles its future
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


def batch_connect(database: str, *, iter_chunk_size: int = 64, **kwargs: Any) -> BatchConnection:
    """What ``aiosqlite.connect`` returns, for SQLAlchemy's ``async_creator_fn``."""
    return BatchConnection(partial(sqlite3.connect, database, **kwargs), iter_chunk_size)
