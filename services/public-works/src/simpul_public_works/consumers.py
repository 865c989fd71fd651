"""What public works consumes: posyandu identity from the registry, referrals (requests other
fields address to public works, answers to the ones it sent), housing's house surveys (their
water and latrine facts as public works' surveys), the households other fields know (survey
coverage's denominator) and health's stunting detections (a referral or a recorded decision,
and the household known).

Each consumer's name is its Kafka group id and its inbox key: never rename one (it would
consume its topics again from the start).
"""

from __future__ import annotations

from typing import Any

from simpul_platform.consumer import Consumer, Subscription
from simpul_platform.referrals.consumer import referral_consumer
from simpul_platform.replica import posyandu_replica_consumer
from simpul_public_works.events import HouseAssessed, HouseholdAssessed, StuntingDetected
from simpul_public_works.ops import known_households
from simpul_public_works.ops.housing_surveys import HousingSurveys
from simpul_public_works.ops.stunting_wash import StuntingWash
from simpul_public_works.settings import PublicWorksSettings

REPLICA_CONSUMER = "public-works.posyandu-replica"
REFERRAL_CONSUMER = "public-works.referrals"
HOUSING_SURVEYS_CONSUMER = "public-works.housing-surveys"
KNOWN_HOUSEHOLDS_CONSUMER = "public-works.known-households"
STUNTING_WASH_CONSUMER = "public-works.stunting-wash"


def consumers(settings: PublicWorksSettings) -> list[Consumer]:
    """Everything public works consumes."""
    return [
        posyandu_replica_consumer(REPLICA_CONSUMER),
        referral_consumer(REFERRAL_CONSUMER, "public_works", settings),
        *reactions(settings),
    ]


def reactions(settings: PublicWorksSettings) -> list[Consumer]:
    """Other fields' events public works reacts to (ops/housing_surveys.py,
    ops/known_households.py, ops/stunting_wash.py)."""
    housing = HousingSurveys(settings)
    stunting = StuntingWash(settings)
    # Health's detections make a household known too, in the stunting-wash consumer's
    # transaction (ops/stunting_wash.py): this group no longer reads health's topic.
    known: list[Subscription[Any]] = [
        Subscription(view, known_households.on_event, known_households.on_events)
        for view in (HouseAssessed, HouseholdAssessed)
    ]
    return [
        Consumer(
            HOUSING_SURVEYS_CONSUMER,
            [Subscription(HouseAssessed, housing.on_assessed, housing.on_assessed_batch)],
        ),
        Consumer(KNOWN_HOUSEHOLDS_CONSUMER, known),
        Consumer(
            STUNTING_WASH_CONSUMER,
            [Subscription(StuntingDetected, stunting.on_detected, stunting.on_detected_batch)],
        ),
    ]
