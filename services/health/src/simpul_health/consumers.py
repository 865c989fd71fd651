"""What health consumes: posyandu identity from the registry (its replica).

A consumer's name is its Kafka group id and its inbox key: never rename one (it would consume
its topics again from the start).
"""

from __future__ import annotations

from simpul_platform.consumer import Consumer
from simpul_platform.replica import posyandu_replica_consumer

REPLICA_CONSUMER = "health.posyandu-replica"


def consumers() -> list[Consumer]:
    """Everything health consumes."""
    return [posyandu_replica_consumer(REPLICA_CONSUMER)]
