"""Fixtures for the public-works service's tests: the service over the real PostgreSQL and Kafka,
and stand-ins for the registry and health producers (the platform's test peers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from public_works_testkit import Producers, PublicWorks, start_public_works


@pytest.fixture
async def producers(make_settings: Callable[..., Any]) -> AsyncIterator[Producers]:
    async with Producers.running(make_settings) as running:
        yield running


@pytest.fixture
async def public_works(
    make_settings: Callable[..., Any], postgres_url: str, producers: Producers
) -> AsyncIterator[PublicWorks]:
    async with start_public_works(make_settings, postgres_url, producers) as service:
        yield service
