"""pytest plugin: the real Kafka broker and PostgreSQL, started once per test session, and a
real headless browser for page tests (``simpul_platform.testing.browser``).

Each test gets its own database (``postgres_url``) and its own topics (``topic_namespace``),
so tests never see each other's rows or events. Set ``SIMPUL_TEST_KAFKA_BOOTSTRAP`` to use a
broker that is already running instead of starting one.

``SIMPUL_TEST_KAFKA=single|cluster`` (default single) chooses one node or three, and
``SIMPUL_TEST_KAFKA_SECURITY=plaintext|scram|scram_tls`` (default plaintext) whether clients
authenticate: then ``make_settings`` connects as the admin principal (in-process services are
all-powerful but authenticated), and ``start_stack`` creates the stack's topics, grants its
namespace's ACLs and starts each service as its own principal.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from simpul_platform.devstack.kafka_cluster import KafkaCluster
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.browser import browser_errors as browser_errors
from simpul_platform.testing.browser import browser_page as browser_page
from simpul_platform.testing.browser import chromium_browser as chromium_browser
from simpul_platform.testing.kafka_reader import register_connection
from simpul_platform.testing.stack import TEST_JWT_SECRET, TEST_PSEUDONYM_SECRET, Stack

S = TypeVar("S", bound=ServiceSettings)
RESTART_TIMEOUT_S = 180.0


class Broker:
    """What tests need of a broker: where it is, how to connect to it, and (when we own it)
    a way to break it. ``managed`` is the ``KafkaCluster`` (or ``KafkaBroker``) started."""

    def __init__(self, bootstrap_servers: str, managed: KafkaCluster | None = None) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.managed = managed

    @property
    def secured(self) -> bool:
        return self.managed is not None and self.managed.security != "plaintext"

    def client_settings(self, principal: str = "admin") -> dict[str, Any]:
        """ServiceSettings fields connecting as ``principal``, with the cluster's replicas."""
        if self.managed is None:
            return {"kafka_bootstrap_servers": self.bootstrap_servers}
        return {
            **self.managed.client_settings(principal),
            "kafka_replication_factor": self.managed.replication_factor,
            "kafka_min_insync_replicas": self.managed.min_insync_replicas,
        }

    def kill(self) -> None:
        self._require_managed().kill()

    def start(self) -> None:
        # A restart after a kill recovers every partition's log first: late in a tier the
        # broker holds thousands of them, beside the other tier's load (once over 90 s).
        self._require_managed().start(RESTART_TIMEOUT_S)

    def _require_managed(self) -> KafkaCluster:
        if self.managed is None:
            raise RuntimeError("fault tests need the broker the fixtures started")
        return self.managed


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[Broker]:
    external = os.environ.get("SIMPUL_TEST_KAFKA_BOOTSTRAP")
    if external:
        yield Broker(external)
        return
    from simpul_platform.devstack.kafka_cluster import KafkaBroker

    mode = os.environ.get("SIMPUL_TEST_KAFKA", "single")
    security = os.environ.get("SIMPUL_TEST_KAFKA_SECURITY", "plaintext")
    if mode not in ("single", "cluster") or security not in ("plaintext", "scram", "scram_tls"):
        raise pytest.UsageError(f"SIMPUL_TEST_KAFKA={mode}, SIMPUL_TEST_KAFKA_SECURITY={security}?")
    broker: KafkaCluster = (
        KafkaBroker(default_partitions=3, security=security)  # type: ignore[arg-type]
        if mode == "single"
        else KafkaCluster(3, security=security, default_partitions=3)  # type: ignore[arg-type]
    )
    broker.start()
    if broker.credentials is not None:
        register_connection(broker.client_options())
    try:
        yield Broker(broker.bootstrap_servers, broker)
    finally:
        broker.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed

    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: Any) -> Iterator[str]:
    """A fresh, empty database for this test; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    url: str = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"


@pytest.fixture
def topic_namespace() -> str:
    """A prefix that gives this test its own topics and consumer groups."""
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture
def make_settings(kafka_broker: Broker, topic_namespace: str) -> Callable[..., ServiceSettings]:
    """Settings for a service under test: real broker, own topics, test secrets.

    Pass ``database_url`` (from ``postgres_url`` or ``sqlite_url``) and any overrides.
    """

    def build(settings_class: type[S] = ServiceSettings, **overrides: Any) -> S:  # type: ignore[assignment]
        values: dict[str, Any] = {
            "environment": "test",
            **kafka_broker.client_settings(),
            "kafka_topic_namespace": topic_namespace,
            "kafka_topic_partitions": 3,
            "jwt_secret": TEST_JWT_SECRET,
            "pseudonym_secret": TEST_PSEUDONYM_SECRET,
            "relay_poll_interval_s": 0.05,
            "relay_max_backoff_s": 2.0,
        }
        values.update(overrides)
        return settings_class(**values)

    return build


@pytest.fixture
def start_stack(kafka_broker: Broker, postgres_server: Any) -> Iterator[Callable[..., Stack]]:
    """Start services from deploy/services.toml as real processes: ``start_stack("registry",
    "health", extra_env={...})``. Everything started is stopped after the test."""
    stacks: list[Stack] = []

    def start(*names: str, extra_env: dict[str, str] | None = None) -> Stack:
        stack = Stack(
            kafka_broker.bootstrap_servers, postgres_server, list(names), extra_env,
            kafka=kafka_broker.managed,
        )  # fmt: skip
        stacks.append(stack)
        return stack.start()

    yield start
    for stack in stacks:
        stack.stop()
