"""What health consumes: posyandu identity from the registry (its replica), referrals:
requests other fields address to health, answers to the ones health sent, and education's
children (the usia pendidikan dasar target group).

A consumer's name is its Kafka group id and its inbox key: never rename one (it would consume
its topics again from the start).
"""

from __future__ import annotations

from simpul_health.events import EducationChildRegistered, EducationChildStatusChanged
from simpul_health.ops import school_children
from simpul_health.settings import HealthSettings
from simpul_platform.consumer import Consumer, Subscription
from simpul_platform.referrals.consumer import referral_consumer
from simpul_platform.replica import posyandu_replica_consumer

REPLICA_CONSUMER = "health.posyandu-replica"
REFERRAL_CONSUMER = "health.referrals"
EDUCATION_CHILDREN_CONSUMER = "health.education-children"


def consumers(settings: HealthSettings) -> list[Consumer]:
    """Everything health consumes."""
    return [
        posyandu_replica_consumer(REPLICA_CONSUMER),
        referral_consumer(REFERRAL_CONSUMER, "health", settings),
        education_children(),
    ]


def education_children() -> Consumer:
    """Education's children (pseudonym, posyandu, desa, age) → ``school_age_children``, the
    usia pendidikan dasar target group (ops/school_children.py)."""
    return Consumer(
        EDUCATION_CHILDREN_CONSUMER,
        [
            Subscription(
                EducationChildRegistered,
                school_children.on_registered,
                school_children.on_children,
            ),
            Subscription(
                EducationChildStatusChanged,
                school_children.on_status_changed,
                school_children.on_children,
            ),
        ],
    )
