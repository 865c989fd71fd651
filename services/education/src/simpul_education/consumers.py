"""What education consumes: posyandu identity from the registry, referrals (requests other
fields address to education, answers to the ones education sent), and households' DTSEN
deciles from social.

Each consumer's name is its Kafka group id and its inbox key: never rename one (it would
consume its topics again from the start).
"""

from __future__ import annotations

from simpul_education.events import HouseholdAssessed
from simpul_education.ops.deciles import record_assessment
from simpul_education.settings import EducationSettings
from simpul_platform.consumer import Consumer, Subscription
from simpul_platform.referrals.consumer import referral_consumer
from simpul_platform.replica import posyandu_replica_consumer

REPLICA_CONSUMER = "education.posyandu-replica"
REFERRAL_CONSUMER = "education.referrals"
DECILE_CONSUMER = "education.household-deciles"


def consumers(settings: EducationSettings) -> list[Consumer]:
    """Everything education consumes."""
    return [
        posyandu_replica_consumer(REPLICA_CONSUMER),
        referral_consumer(REFERRAL_CONSUMER, "education", settings),
        Consumer(DECILE_CONSUMER, [Subscription(HouseholdAssessed, record_assessment)]),
    ]
