"""Short versions of the cluster faults in bench/cluster_faults.py: on a three-node Kafka
cluster (replication 3, min ISR 2, acks=all) the leader of health's partition is SIGKILLed,
the active controller is SIGKILLed, and a leader is paused past the session timeouts, each in
the middle of an ingest, and nothing may be lost or applied twice.

The scenarios, their counting and their timings come from ``bench.cluster_faults`` (so the
smoke tests and the benchmark cannot drift apart); only the sizes differ, and no timing is
asserted. The module starts its own cluster (the faults kill its nodes, so it is shared with
no other module) and one stack of registry, health and social on it; each scenario seeds its
own posyandu and counts only those. ``SIMPUL_TEST_KAFKA_SECURITY=scram|scram_tls`` runs it on
an authenticating cluster, as the fixtures' ``kafka_broker`` does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from bench.cluster_faults import ClusterRun, Kind, cluster_fault
from bench.faults import SERVICES
from simpul_platform.devstack.kafka_cluster import KafkaCluster
from simpul_platform.testing.stack import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.kafka_cluster]

# A pause must outlast the broker's session timeout (the controller fences the node) and the
# consumers' (10 s: their group rebalances); a killed node comes back after a short outage.
PAUSE_S = 12.0
DOWN_S = 3.0


@pytest.fixture(scope="module")
def cluster() -> Iterator[KafkaCluster]:
    # Authenticating as the suite's other cluster tests do when SIMPUL_TEST_KAFKA_SECURITY
    # says so: the stack then provisions its topics and ACLs, each service its own principal.
    security = os.environ.get("SIMPUL_TEST_KAFKA_SECURITY", "plaintext")
    started = KafkaCluster(3, security=security, default_partitions=3)  # type: ignore[arg-type]
    try:
        yield started.start()
    finally:
        started.close()


@pytest.fixture(scope="module")
def stack(cluster: KafkaCluster, postgres_server: Any) -> Iterator[Stack]:
    started = Stack(cluster.bootstrap_servers, postgres_server, list(SERVICES), kafka=cluster)
    try:
        yield started.start()
    finally:
        started.stop()


async def fault(stack: Stack, cluster: KafkaCluster, kind: Kind, fault_s: float) -> ClusterRun:
    run = await cluster_fault(
        stack,
        cluster,
        kind,
        posyandu=2,
        per_posyandu=30,
        per_request=10,
        fault_after_s=2.0,
        fault_s=fault_s,
        after_s=2.0,
    )
    run.print()  # shown with -s
    counts = run.counts
    assert counts.rows == counts.acknowledged > 0
    assert counts.lost_total == 0, counts.lost
    assert counts.duplicated_total == 0, counts.duplicated
    assert counts.episodes == counts.cases > 0
    # social went on applying detections published after the fault struck
    assert run.timings.consumers_resumed_s is not None
    return run


async def test_partition_leader_killed_mid_ingest_loses_nothing(
    stack: Stack, cluster: KafkaCluster
) -> None:
    await fault(stack, cluster, "leader", DOWN_S)
    assert all(node.running for node in cluster.nodes)  # restarted


async def test_active_controller_killed_mid_ingest_loses_nothing(
    stack: Stack, cluster: KafkaCluster
) -> None:
    before = await cluster.active_controller()
    run = await fault(stack, cluster, "controller", DOWN_S)
    assert run.events["node"] == before


async def test_leader_paused_past_the_session_timeout_loses_nothing(
    stack: Stack, cluster: KafkaCluster
) -> None:
    run = await fault(stack, cluster, "pause", PAUSE_S)
    assert run.events["undone_at"] > run.events["at"]
