"""What education consumes: posyandu identity from the registry, referrals (requests other
fields address to education, answers to the ones education sent), health's stunting
detections (a PAUD referral for a stunted child aged 2–6 in neither PAUD nor BKB), and
households' DTSEN deciles from social.

Each consumer's name is its Kafka group id and its inbox key: never rename one (it would
consume its topics again from the start).
"""

from __future__ import annotations

from simpul_education.events import HouseholdAssessed, StuntingDetected
from simpul_education.ops.deciles import record_assessment, record_assessments
from simpul_education.ops.stunting_paud import StuntingPaud
from simpul_education.settings import EducationSettings
from simpul_platform.consumer import Consumer, Subscription
from simpul_platform.referrals.consumer import referral_consumer
from simpul_platform.replica import posyandu_replica_consumer

REPLICA_CONSUMER = "education.posyandu-replica"
REFERRAL_CONSUMER = "education.referrals"
STUNTING_PAUD_CONSUMER = "education.stunting-paud"
DECILE_CONSUMER = "education.household-deciles"


def consumers(settings: EducationSettings) -> list[Consumer]:
    """Everything education consumes."""
    return [
        posyandu_replica_consumer(REPLICA_CONSUMER),
        referral_consumer(REFERRAL_CONSUMER, "education", settings),
        stunting_paud(settings),
        Consumer(
            DECILE_CONSUMER,
            [Subscription(HouseholdAssessed, record_assessment, record_assessments)],
        ),
    ]


def stunting_paud(settings: EducationSettings) -> Consumer:
    """Health's stunting detections → a PAUD referral or a recorded decision
    (ops/stunting_paud.py)."""
    reactor = StuntingPaud(settings)
    return Consumer(
        STUNTING_PAUD_CONSUMER,
        [Subscription(StuntingDetected, reactor.on_detected, reactor.on_detected_batch)],
    )
