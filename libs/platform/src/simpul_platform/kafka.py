"""Kafka clients with the settings Simpul relies on, and topic creation at start-up."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.helpers import create_ssl_context

from simpul_platform.settings import ServiceSettings

logger = logging.getLogger("simpul.kafka")
# How long stopping a client may take before shutdown goes on without it.
CLIENT_STOP_TIMEOUT_S = 10.0

DEAD_LETTER_PREFIX = "simpul.dlq."


def connection_options(settings: ServiceSettings) -> dict[str, Any]:
    """Where the broker is and how to authenticate to it: what every client (producer,
    consumer, admin) of a service is given, so none of them can connect differently."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(cafile=settings.kafka_ssl_cafile or None)
    if settings.kafka_security_protocol.startswith("SASL_"):
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = settings.kafka_sasl_password
    return options


PRODUCER_BATCH_BYTES = 256 * 1024


def idempotent_producer(settings: ServiceSettings, **overrides: object) -> AIOKafkaProducer:
    """acks=all with idempotence: a retried send is written once, in order per partition."""
    options: dict[str, object] = {
        **connection_options(settings),
        "client_id": f"simpul-{settings.service_name}",
        "enable_idempotence": True,
        "acks": "all",
        "linger_ms": 5,
        # aiokafka keeps one produce request in flight per broker and, with acks=all on
        # replicas, each waits for the followers: its 16 KiB default batch capped the relay on a
        # three-node cluster (bench.relay --cluster, PERFORMANCE.md part S).
        "max_batch_size": PRODUCER_BATCH_BYTES,
        "request_timeout_ms": 15000,
        "retry_backoff_ms": 200,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


def dead_letter_topic(settings: ServiceSettings, consumer_name: str) -> str:
    return settings.topic(DEAD_LETTER_PREFIX + consumer_name)


async def ensure_topics(settings: ServiceSettings, topics: Iterable[str]) -> None:
    """Create the named physical topics if they do not exist (partitions from settings).

    On Kubernetes the Topic Operator has made them all (deploy/k8s/base/kafka-topics.yaml) and
    a service's user may not create topics: this only finds them listed and returns."""
    wanted = sorted(set(topics))
    if not wanted:
        return
    admin = AIOKafkaAdminClient(**connection_options(settings), request_timeout_ms=10000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [_new_topic(settings, name) for name in wanted if name not in existing]
        if missing:
            # Another replica may create it between our look and our create.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
            logger.info("created topics", extra={"topics": [t.name for t in missing]})
    finally:
        await admin.close()


def _new_topic(settings: ServiceSettings, name: str) -> NewTopic:
    """A topic with the settings' partitions and replicas; ``min.insync.replicas`` only when
    above 1, so that a single node's topics take the broker's default as before."""
    configs = {}
    if settings.kafka_min_insync_replicas > 1:
        configs["min.insync.replicas"] = str(settings.kafka_min_insync_replicas)
    return NewTopic(
        name,
        settings.kafka_topic_partitions,
        settings.kafka_replication_factor,
        topic_configs=configs,
    )


async def stop_within(stopping: Awaitable[None], what: str) -> None:
    """Await a Kafka client's ``stop()``, but not forever: a consumer stopped while it joins
    its group, or a producer whose broker is gone, can wait indefinitely, and a service
    shutting down (or a test tearing down) must not."""
    try:
        await asyncio.wait_for(stopping, timeout=CLIENT_STOP_TIMEOUT_S)
    except Exception:
        logger.warning("stopping %s failed or timed out; going on", what, exc_info=True)
