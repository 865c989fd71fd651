"""What public works consumes: posyandu identity from the registry, referrals (requests other
fields address to public works, answers to the ones it sent).

Each consumer's name is its Kafka group id and its inbox key: never rename one (it would
consume its topics again from the start).
"""

from __future__ import annotations

from simpul_platform.consumer import Consumer
from simpul_platform.referrals.consumer import referral_consumer
from simpul_platform.replica import posyandu_replica_consumer
from simpul_public_works.settings import PublicWorksSettings

REPLICA_CONSUMER = "public-works.posyandu-replica"
REFERRAL_CONSUMER = "public-works.referrals"


def consumers(settings: PublicWorksSettings) -> list[Consumer]:
    """Everything public works consumes."""
    return [
        posyandu_replica_consumer(REPLICA_CONSUMER),
        referral_consumer(REFERRAL_CONSUMER, "public_works", settings),
    ]
