"""What health consumes: posyandu identity from the registry (its replica), and referrals:
requests other fields address to health, answers to the ones health sent.

A consumer's name is its Kafka group id and its inbox key: never rename one (it would consume
its topics again from the start).
"""

from __future__ import annotations

from simpul_health.settings import HealthSettings
from simpul_platform.consumer import Consumer
from simpul_platform.referrals.consumer import referral_consumer
from simpul_platform.replica import posyandu_replica_consumer

REPLICA_CONSUMER = "health.posyandu-replica"
REFERRAL_CONSUMER = "health.referrals"


def consumers(settings: HealthSettings) -> list[Consumer]:
    """Everything health consumes."""
    return [
        posyandu_replica_consumer(REPLICA_CONSUMER),
        referral_consumer(REFERRAL_CONSUMER, "health", settings),
    ]
