"""Short versions of the fault runs in bench/faults.py: the broker, a service and a consumer
are killed (SIGKILL) in the middle of real work, and nothing may be lost or applied twice.

The scenarios and their counting are imported from ``bench.faults`` (the workspace root, which
holds ``bench/``, is on sys.path because the root conftest.py lives there), so the smoke tests
and the benchmark cannot drift apart; only the sizes differ. One stack (registry, health,
social as real uvicorn processes) serves the three tests: starting it is most of the cost, and
each scenario seeds its own posyandu and counts only those.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bench.fault_counts import Counts
from bench.faults import SERVICES, broker_fault, consumer_fault, service_fault
from simpul_platform.testing.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(kafka_broker: Any, postgres_server: Any) -> Iterator[Stack]:
    started = Stack(
        kafka_broker.bootstrap_servers, postgres_server, list(SERVICES), kafka=kafka_broker.managed
    )
    try:
        yield started.start()
    finally:
        started.stop()


def assert_clean(counts: Counts) -> None:
    counts.print()  # shown with -s
    assert counts.rows == counts.acknowledged > 0
    assert counts.lost_total == 0, counts.lost
    assert counts.duplicated_total == 0, counts.duplicated
    assert counts.episodes == counts.cases > 0


async def test_broker_killed_mid_ingest_loses_nothing(stack: Stack, kafka_broker: Any) -> None:
    counts = await broker_fault(
        stack,
        kafka_broker,
        posyandu=2,
        per_posyandu=40,
        per_request=10,
        kill_after_s=2.0,
        down_s=4.0,
        after_s=2.0,
    )
    assert_clean(counts)


async def test_health_killed_mid_batch_is_retried_without_a_second_effect(stack: Stack) -> None:
    counts = await service_fault(stack, posyandu=1, per_posyandu=60, per_request=20, kills=1)
    assert_clean(counts)
    assert counts.info["kills (ms into the request)"]


async def test_social_killed_before_its_offset_commit_applies_each_detection_once(
    stack: Stack,
) -> None:
    counts = await consumer_fault(stack, posyandu=1, per_posyandu=60, kill_at=0.3)
    assert_clean(counts)
    assert counts.info["redeliveries skipped by social's inbox since its last start"] > 0
