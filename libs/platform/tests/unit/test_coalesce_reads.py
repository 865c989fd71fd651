"""Identical reads at the same time are counted once; a leader's failure or cancellation
leaves its followers to count for themselves."""

from __future__ import annotations

import asyncio

import pytest

from simpul_platform.coalesce import Coalescer

pytestmark = pytest.mark.unit


class Counter:
    def __init__(self, delay: float = 0.05) -> None:
        self.calls = 0
        self.delay = delay

    async def __call__(self) -> dict[str, int]:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return {"count": self.calls}


async def test_concurrent_identical_reads_count_once_and_share_the_answer():
    running: Coalescer[dict[str, int]] = Coalescer()
    counter = Counter()
    answers = await asyncio.gather(*(running.run("64.02/2026-11", counter) for _ in range(16)))
    assert counter.calls == 1
    assert answers == [{"count": 1}] * 16
    assert running.shared == 15


async def test_different_keys_count_apart_and_a_later_read_counts_again():
    running: Coalescer[dict[str, int]] = Coalescer()
    counter = Counter()
    await asyncio.gather(running.run("64.02", counter), running.run("64.03", counter))
    assert counter.calls == 2
    assert await running.run("64.02", counter) == {"count": 3}  # not a cache


async def test_a_failed_leader_leaves_followers_to_count_themselves():
    running: Coalescer[str] = Coalescer()
    calls: list[str] = []

    async def failing() -> str:
        calls.append("leader")
        await asyncio.sleep(0.05)
        raise RuntimeError("the leader's own trouble")

    async def fine() -> str:
        calls.append("follower")
        return "counted"

    leader = asyncio.create_task(running.run("k", failing))
    await asyncio.sleep(0.01)
    followers = [asyncio.create_task(running.run("k", fine)) for _ in range(3)]
    with pytest.raises(RuntimeError, match="own trouble"):
        await leader
    assert [await f for f in followers] == ["counted"] * 3
    assert calls == ["leader", "follower", "follower", "follower"]
    assert running.shared == 0


async def test_a_cancelled_leader_does_not_cancel_its_followers():
    running: Coalescer[str] = Coalescer()

    async def slow() -> str:
        await asyncio.sleep(10)
        return "never"

    async def quick() -> str:
        return "counted by the follower"

    leader = asyncio.create_task(running.run("k", slow))
    await asyncio.sleep(0.01)
    follower = asyncio.create_task(running.run("k", quick))
    await asyncio.sleep(0.01)
    leader.cancel()
    assert await follower == "counted by the follower"
    assert leader.cancelled()


async def test_a_cancelled_follower_leaves_the_leader_counting():
    running: Coalescer[dict[str, int]] = Coalescer()
    counter = Counter(delay=0.1)
    leader = asyncio.create_task(running.run("k", counter))
    await asyncio.sleep(0.01)
    follower = asyncio.create_task(running.run("k", counter))
    await asyncio.sleep(0.01)
    follower.cancel()
    assert await leader == {"count": 1}
    assert follower.cancelled()
    assert counter.calls == 1
