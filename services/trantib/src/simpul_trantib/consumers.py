"""What trantib consumes: posyandu identity from the registry, and referrals (requests other
fields address to trantib, answers to the ones it sent: education's answers about displaced
children).

Each consumer's name is its Kafka group id and its inbox key: never rename one (it would
consume its topics again from the start).
"""

from __future__ import annotations

from simpul_platform.consumer import Consumer
from simpul_platform.referrals.consumer import referral_consumer
from simpul_platform.replica import posyandu_replica_consumer
from simpul_trantib.settings import TrantibSettings

REPLICA_CONSUMER = "trantib.posyandu-replica"
REFERRAL_CONSUMER = "trantib.referrals"


def consumers(settings: TrantibSettings) -> list[Consumer]:
    """Everything trantib consumes."""
    return [
        posyandu_replica_consumer(REPLICA_CONSUMER),
        referral_consumer(REFERRAL_CONSUMER, "trantib", settings),
    ]
