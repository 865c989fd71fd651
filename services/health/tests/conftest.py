"""Fixtures for the health service's tests: the service over the real PostgreSQL and Kafka,
its posyandu replica fed by a registry stand-in (``simpul_platform.testing.peers``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from health_testkit import Health, start_health

from simpul_health.app import MIGRATIONS
from simpul_platform.db import Database
from simpul_platform.migrations import upgrade


@pytest.fixture
async def health(make_settings: Callable[..., Any], postgres_url: str) -> AsyncIterator[Health]:
    async with start_health(make_settings, postgres_url) as service:
        yield service


@pytest.fixture(params=["postgres", "sqlite"])
async def migrated(request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """An empty health database at the head revision, on PostgreSQL and on SQLite."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    await upgrade(MIGRATIONS, url)
    database = Database(url)
    try:
        yield database
    finally:
        await database.dispose()
