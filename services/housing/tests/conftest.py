"""Fixtures for the housing service's tests: the service over the real PostgreSQL and Kafka,
and stand-ins for the registry, health and social producers (the platform's test peers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from housing_testkit import Housing, Producers, start_housing


@pytest.fixture
async def producers(make_settings: Callable[..., Any]) -> AsyncIterator[Producers]:
    async with Producers.running(make_settings) as running:
        yield running


@pytest.fixture
async def housing(
    make_settings: Callable[..., Any], postgres_url: str, producers: Producers
) -> AsyncIterator[Housing]:
    async with start_housing(make_settings, postgres_url, producers) as service:
        yield service
