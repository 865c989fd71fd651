"""Fixtures for the social service's tests: the service over the real PostgreSQL and Kafka, and
stand-ins for the registry, health and trantib producers (the platform's test peers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from social_disaster_testkit import Trantib
from social_testkit import Producers, Social, start_social

from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.peers import Peer


@pytest.fixture
async def producers(make_settings: Callable[..., Any]) -> AsyncIterator[Producers]:
    async with Producers.running(make_settings) as running:
        yield running


@pytest.fixture
async def social(
    make_settings: Callable[..., Any], postgres_url: str, producers: Producers
) -> AsyncIterator[Social]:
    async with start_social(make_settings, postgres_url, producers) as service:
        yield service


@pytest.fixture
async def trantib(make_settings: Callable[..., Any]) -> AsyncIterator[Trantib]:
    """Trantib's disaster and fire events, on the test's topics."""
    async with Peer.running(make_settings(ServiceSettings, service_name="peer"), "trantib") as peer:
        yield Trantib(peer)
