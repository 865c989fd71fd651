"""What housing consumes: posyandu identity from the registry, referrals (requests other
fields address to housing, answers to the ones housing sent), health's stunting detections (a
prioritised referral for a stunted child's RTLH house, a survey referral for a house never
surveyed), households' DTSEN deciles from social, and trantib's fires and disaster assessments
(their damaged houses become disaster houses).

Each consumer's name is its Kafka group id and its inbox key: never rename one (it would
consume its topics again from the start).
"""

from __future__ import annotations

from simpul_housing.events import (
    DisasterAssessed,
    FireAttended,
    HouseholdAssessed,
    StuntingDetected,
)
from simpul_housing.ops.deciles import record_assessment, record_assessments
from simpul_housing.ops.stunting_rtlh import StuntingRtlh
from simpul_housing.ops.trantib_damage import TrantibDamage
from simpul_housing.settings import HousingSettings
from simpul_platform.consumer import Consumer, Subscription
from simpul_platform.referrals.consumer import referral_consumer
from simpul_platform.replica import posyandu_replica_consumer

REPLICA_CONSUMER = "housing.posyandu-replica"
REFERRAL_CONSUMER = "housing.referrals"
STUNTING_RTLH_CONSUMER = "housing.stunting-rtlh"
DECILE_CONSUMER = "housing.household-deciles"
TRANTIB_DAMAGE_CONSUMER = "housing.trantib-damage"


def consumers(settings: HousingSettings) -> list[Consumer]:
    """Everything housing consumes."""
    return [
        posyandu_replica_consumer(REPLICA_CONSUMER),
        referral_consumer(REFERRAL_CONSUMER, "housing", settings),
        stunting_rtlh(settings),
        Consumer(
            DECILE_CONSUMER,
            [Subscription(HouseholdAssessed, record_assessment, record_assessments)],
        ),
        trantib_damage(settings),
    ]


def stunting_rtlh(settings: HousingSettings) -> Consumer:
    """Health's stunting detections → a referral or a recorded decision
    (ops/stunting_rtlh.py)."""
    reactor = StuntingRtlh(settings)
    return Consumer(
        STUNTING_RTLH_CONSUMER,
        [Subscription(StuntingDetected, reactor.on_detected, reactor.on_detected_batch)],
    )


def trantib_damage(settings: HousingSettings) -> Consumer:
    """Trantib's fires and disaster assessments → their damaged houses as disaster houses,
    once each (ops/trantib_damage.py)."""
    handler = TrantibDamage(settings)
    return Consumer(
        TRANTIB_DAMAGE_CONSUMER,
        [
            Subscription(FireAttended, handler.on_fire),
            Subscription(DisasterAssessed, handler.on_disaster),
        ],
    )
