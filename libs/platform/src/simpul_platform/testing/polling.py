"""Waiting in a test for an asynchronous effect (an event consumed, a row replicated) without
a fixed sleep: poll until it shows, fail with what was last seen."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T | None]], timeout: float = 30.0, interval: float = 0.1
) -> T:
    """Poll ``check`` until it returns something truthy, and return that; AssertionError with
    its last answer when ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        last = await check()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s ({check}); last seen: {last!r}")
        await asyncio.sleep(interval)
