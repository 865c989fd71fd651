"""Identical reads asked at the same time, counted once.

When a kecamatan meeting opens the DPMD dashboard on every laptop, the gateway asks each field
for the same indicators (same wilayah, period and day) many times within a few milliseconds.
Each request is still authorised on its own (its principal, its wilayah); only the counting
that follows, which depends on the data alone, is shared: the first request counts, the ones
that arrive while it does wait for its answer instead of counting again.

An answer shared this way is at most one count old: a request that arrives while a count is
running gets that count, which may have started just before a write committed. The next
count sees the write, so a write reaches every reader within one count's time.

A request that leads and is cancelled (its client went away) or fails takes nothing down with
it: the requests waiting on it count for themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class _LeaderGone(Exception):
    """The request that was counting did not finish: its followers count for themselves."""


class Coalescer(Generic[T]):
    """One running count per key, shared by every request that asks while it runs.

    Per process: replicas count independently, which is what bounds the sharing's staleness.
    """

    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future[T]] = {}
        self.shared = 0  # answers given without counting (metrics, tests)

    async def run(self, key: Hashable, count: Callable[[], Awaitable[T]]) -> T:
        running = self._running.get(key)
        if running is not None:
            try:
                answer = await asyncio.shield(running)
            except _LeaderGone:
                return await count()
            self.shared += 1
            return answer
        return await self._lead(key, count)

    async def _lead(self, key: Hashable, count: Callable[[], Awaitable[T]]) -> T:
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        try:
            answer = await count()
        except BaseException:
            future.set_exception(_LeaderGone())
            future.exception()  # retrieved: no "never retrieved" warning without followers
            raise
        else:
            future.set_result(answer)
            return answer
        finally:
            del self._running[key]
