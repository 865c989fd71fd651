"""Fixtures for the social service's tests: the service over the real PostgreSQL and Kafka, and
stand-ins for the registry and health producers that publish through the platform outbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from social_testkit import Peer, Social, start_social


@pytest.fixture
def peer_url(postgres_server: Any) -> Iterator[str]:
    """A second database for the producers social consumes from (registry, health)."""
    name = f"p_{uuid.uuid4().hex[:12]}"
    url: str = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


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
