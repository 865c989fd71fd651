"""What housing consumes: posyandu identity from the registry and referrals (requests other
fields address to housing, answers to the ones housing sent).

Each consumer's name is its Kafka group id and its inbox key: never rename one (it would
consume its topics again from the start).
"""

from __future__ import annotations

from simpul_housing.settings import HousingSettings
from simpul_platform.consumer import Consumer
from simpul_platform.referrals.consumer import referral_consumer
from simpul_platform.replica import posyandu_replica_consumer

REPLICA_CONSUMER = "housing.posyandu-replica"
REFERRAL_CONSUMER = "housing.referrals"


def consumers(settings: HousingSettings) -> list[Consumer]:
    """Everything housing consumes."""
    return [
        posyandu_replica_consumer(REPLICA_CONSUMER),
        referral_consumer(REFERRAL_CONSUMER, "housing", settings),
    ]
