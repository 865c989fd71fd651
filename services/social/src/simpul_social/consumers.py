"""What social consumes: posyandu identity from the registry, stunting from health, disasters
and fires from trantib, and referrals: requests other fields address to social, answers to
the ones social sent.

Each consumer's name is its Kafka group id and its inbox key: never rename one (it would
consume its topics again from the start).
"""

from __future__ import annotations

from simpul_platform.consumer import Consumer, Subscription
from simpul_platform.referrals.consumer import referral_consumer
from simpul_platform.replica import posyandu_replica_consumer
from simpul_social.events import (
    DisasterAssessed,
    FireAttended,
    StuntingDetected,
    StuntingRecovered,
)
from simpul_social.ops.disaster_intake import DisasterIntake
from simpul_social.ops.stunting_consumer import StuntingReactor
from simpul_social.settings import SocialSettings

REPLICA_CONSUMER = "social.posyandu-replica"
STUNTING_CONSUMER = "social.stunting-reaction"
REFERRAL_CONSUMER = "social.referrals"
DISASTER_CONSUMER = "social.disaster-protection"


def stunting_reaction(settings: SocialSettings) -> Consumer:
    """Health's stunting events → priority cases, leads and decisions (ops/reaction*.py)."""
    reactor = StuntingReactor(settings)
    return Consumer(
        STUNTING_CONSUMER,
        [
            Subscription(StuntingDetected, reactor.on_detected, reactor.on_detected_batch),
            Subscription(StuntingRecovered, reactor.on_recovered),
        ],
    )


def disaster_protection() -> Consumer:
    """Trantib's disasters and fires → a disaster protection case per household struck
    (ops/disaster_intake.py)."""
    intake = DisasterIntake()
    return Consumer(
        DISASTER_CONSUMER,
        [
            Subscription(DisasterAssessed, intake.on_disaster),
            Subscription(FireAttended, intake.on_fire),
        ],
    )


def consumers(settings: SocialSettings) -> list[Consumer]:
    """Everything social consumes."""
    return [
        posyandu_replica_consumer(REPLICA_CONSUMER),
        stunting_reaction(settings),
        referral_consumer(REFERRAL_CONSUMER, "social", settings),
        disaster_protection(),
    ]
