"""Fixtures the referral end-to-end tests share; a test module that wants one stack for all
its tests asks for ``referral_stack`` (module scope: one per module)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from referral_calls import HEALTH_ONLY_HOLIDAY

from simpul_platform.testing.stack import Stack


@pytest.fixture(scope="module")
def referral_stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    started = Stack(
        kafka_broker.bootstrap_servers,
        postgres_server,
        ["registry", "health", "social", "gateway"],
        {"HEALTH_EXTRA_HOLIDAYS": f'["{HEALTH_ONLY_HOLIDAY}"]'},
        kafka=kafka_broker.managed,
    )
    try:
        yield started.start()
    finally:
        started.stop()


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield http
