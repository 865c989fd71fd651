"""Fixtures for the registry's tests: the service over the real PostgreSQL (and Kafka)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from registry_testkit import Registry, start_registry


@pytest.fixture
async def registry(make_settings: Callable[..., Any], postgres_url: str) -> AsyncIterator[Registry]:
    """The registry on a fresh database; its events stay in the outbox (no relay, no broker)."""
    async with start_registry(make_settings, postgres_url, relay_enabled=False,
                              consumers_enabled=False) as service:
        yield service


@pytest.fixture
async def relayed_registry(
    make_settings: Callable[..., Any], postgres_url: str
) -> AsyncIterator[Registry]:
    """The registry on a fresh database, its outbox relayed to the test broker."""
    async with start_registry(make_settings, postgres_url) as service:
        yield service
