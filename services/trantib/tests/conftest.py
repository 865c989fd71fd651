"""Fixtures for the trantib service's tests: the service over the real PostgreSQL and Kafka,
and stand-ins for the registry and health producers (the platform's test peers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from trantib_testkit import Producers, Trantib, start_trantib


@pytest.fixture
async def producers(make_settings: Callable[..., Any]) -> AsyncIterator[Producers]:
    async with Producers.running(make_settings) as running:
        yield running


@pytest.fixture
async def trantib(
    make_settings: Callable[..., Any], postgres_url: str, producers: Producers
) -> AsyncIterator[Trantib]:
    async with start_trantib(make_settings, postgres_url, producers) as service:
        yield service
