"""Fixtures for the social service's tests: the service over the real PostgreSQL and Kafka, and
stand-ins for the registry and health producers that publish through the platform outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from social_testkit import Peer, Social, start_social

from simpul_platform.events import new_id


@pytest.fixture
def make_database(postgres_server: Any) -> Iterator[Callable[[str], str]]:
    """More databases beside the test's own (a producer's), each dropped after the test."""
    names: list[str] = []

    def create(prefix: str) -> str:
        name = f"{prefix}_{new_id().replace('-', '')[:12]}"
        names.append(name)
        url: str = postgres_server.create_database(name)
        return url

    yield create
    for name in names:
        postgres_server.drop_database(name)


@pytest.fixture
def peer_url(make_database: Callable[[str], str]) -> str:
    """A second database for the producers social consumes from (registry, health)."""
    return make_database("p")


@pytest.fixture
async def peer(make_settings: Callable[..., Any], peer_url: str) -> AsyncIterator[Peer]:
    async with Peer.running(make_settings, peer_url) as running:
        yield running


@pytest.fixture
async def social(
    make_settings: Callable[..., Any], postgres_url: str, peer: Peer
) -> AsyncIterator[Social]:
    async with start_social(make_settings, postgres_url, peer) as service:
        yield service
