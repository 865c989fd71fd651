"""Faults on a three-node Kafka cluster (replication 3, min ISR 2, acks=all); each ends with
"lost: N, duplicated effects: N", the time writes stalled and the time consumers took to resume.

1. leader     — the broker leading partition 0 of health's topic is SIGKILLed in the middle of
                an ingest and restarted ``down`` seconds later; uploads keep going throughout.
2. controller — the active KRaft controller (a combined broker+controller node) is SIGKILLed
                mid-ingest and restarted later.
3. pause      — the leader of health's partition 0 is paused (SIGSTOP) for longer than the
                broker session timeout (the controller fences it) and the consumers' session
                timeout, then resumed (SIGCONT): a network-isolated broker, as near as one
                machine gets to it.

registry, health and social run as real processes on the cluster and PostgreSQL; their topics
are created with the cluster's replication factor and min ISR. The counting is
``bench.fault_counts.count``, the same as the single-node faults in ``bench.faults``.

Timings, all from timestamps (the machine's wall clock, UTC), none guessed:

- HTTP write stall: the longest gap between successive 2xx answers to the uploads (the client
  sends one request after another at a steady pace, so the pace is the gap's floor). Health
  writes to its database and the outbox, so a broker fault should not show here.
- publication stall: the longest time the outbox relay published nothing while an event was
  waiting: over successive publication moments t1 < t2 (distinct ``outbox.sent_at`` of the
  run's rows), t2 - max(t1, the earliest ``created_at`` among the rows published at t2).
  Beside it the longest any one event waited in the outbox (``sent_at - created_at``).
- consumers resumed: from the fault (the signal sent) to social's first effect (its inbox row's
  ``processed_at``) of a detection published after the fault (so it includes the publication
  stall); beside it the longest gap between successive effects over the run, and the consumer's
  own share: the longest delay from a detection's publication (``sent_at``) to its effect.

    uv run python -m bench.cluster_faults [--quick] [--only leader,controller,pause]
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, Literal

from aiokafka.admin import AIOKafkaAdminClient

from bench.common import Infra, Ingest, Report, connect, parser, quiet_kafka_logs
from bench.fault_counts import DETECTED, HEALTH_TOPIC, Counts, count
from bench.faults import SERVICES, ingest_during, seed
from bench.seeding import bulk_requests
from simpul_platform.devstack.kafka_cluster import KafkaCluster
from simpul_platform.devstack.kafka_node import KafkaNode
from simpul_platform.testing.stack import Stack

Kind = Literal["leader", "controller", "pause"]
KINDS: tuple[Kind, ...] = ("leader", "controller", "pause")
NAMES = {
    "leader": "health's partition leader SIGKILLed mid-ingest",
    "controller": "active controller SIGKILLed mid-ingest",
    "pause": "a partition leader paused past the session timeouts",
}
SEEDS = {"leader": 31, "controller": 32, "pause": 33}
CONSUMER = "social.stunting-reaction"
PARTITIONS = 3  # the stacks' topics (Stack: SIMPUL_KAFKA_TOPIC_PARTITIONS=3)


@dataclass
class Timings:
    """What the fault cost, in seconds (see the module's docstring for each definition)."""

    pace_s: float = 0.0
    http_stall_s: float = 0.0
    publication_stall_s: float = 0.0
    longest_outbox_wait_s: float = 0.0
    consumers_resumed_s: float | None = None
    longest_effect_gap_s: float = 0.0
    longest_consume_delay_s: float = 0.0


@dataclass
class ClusterRun:
    counts: Counts
    timings: Timings
    events: dict[str, Any] = field(default_factory=dict)

    def print(self) -> None:
        t = self.timings
        self.counts.info["HTTP write stall (longest gap between 2xx; pace)"] = (
            f"{t.http_stall_s:.2f} s; {t.pace_s:.2f} s"
        )
        self.counts.info["publication stall / longest outbox wait"] = (
            f"{t.publication_stall_s:.2f} s / {t.longest_outbox_wait_s:.2f} s"
        )
        resumed = "never" if t.consumers_resumed_s is None else f"{t.consumers_resumed_s:.2f} s"
        self.counts.info["consumers resumed after the fault / longest gap between effects"] = (
            f"{resumed} / {t.longest_effect_gap_s:.2f} s"
        )
        self.counts.info["longest consume delay (published → applied)"] = (
            f"{t.longest_consume_delay_s:.2f} s"
        )
        self.counts.print()


# --------------------------------------------------------------------------- the fault


async def victim(cluster: KafkaCluster, kind: Kind, topic: str) -> KafkaNode:
    """The node the fault strikes, chosen at the moment of the fault."""
    node_id = (
        await cluster.active_controller()
        if kind == "controller"
        else await cluster.leader_of(topic, 0)
    )
    return next(n for n in cluster.nodes if n.node_id == node_id)


async def cluster_fault(
    stack: Stack,
    cluster: KafkaCluster,
    kind: Kind,
    *,
    posyandu: int = 8,
    per_posyandu: int = 100,
    per_request: int = 10,
    fault_after_s: float = 8.0,
    fault_s: float = 30.0,
    after_s: float = 15.0,
) -> ClusterRun:
    """Uploads at a steady pace for fault_after + fault + after seconds; the fault strikes at
    fault_after and is undone (restart, or SIGCONT) fault seconds later."""
    ids, children = await seed(
        stack, f"Cluster {kind}", posyandu=posyandu, per_posyandu=per_posyandu, stunted=0.5,
        seed=SEEDS[kind],
    )  # fmt: skip
    requests = bulk_requests(children, per_request)
    random.Random(SEEDS[kind]).shuffle(requests)
    span = fault_after_s + fault_s + after_s
    ingest, events = Ingest(), dict[str, Any]()

    async def strike() -> None:
        await asyncio.sleep(fault_after_s)
        topic = stack.namespace + HEALTH_TOPIC
        node = await victim(cluster, kind, topic)
        events["node"] = node.node_id
        # What else the victim was, for reading the timings: the active controller, the
        # leader of how many of health's partitions, social's group coordinator.
        events["controller"] = await cluster.active_controller()
        leaders = [await cluster.leader_of(topic, p) for p in range(PARTITIONS)]
        events["partitions led"] = leaders.count(node.node_id)
        events["coordinator"] = await coordinator(cluster, stack.namespace + CONSUMER)
        events["at"] = datetime.now(UTC)
        if kind == "pause":
            node.pause()
        else:
            node.kill()
        await asyncio.sleep(fault_s)
        started = time.monotonic()
        events["undone_at"] = datetime.now(UTC)
        if kind == "pause":
            node.resume()
        else:
            node.start()
        # Until every node is registered again and an acks=all round trip succeeds, so the
        # next scenario starts from a whole cluster.
        await asyncio.to_thread(cluster.wait_ready)
        events["restart_s"] = round(time.monotonic() - started, 1)

    await ingest_during(strike, stack, requests, ingest, span)
    counts = await count(stack, ingest, NAMES[kind], ids)
    timings = await measure(stack, ingest, ids, events["at"], span / len(requests))
    what = "paused / resumed after" if kind == "pause" else "killed / restarted after"
    counts.info["victim / active controller / social's group coordinator (node ids)"] = (
        f"{events['node']} / {events['controller']} / {events['coordinator']}"
    )
    counts.info["health partitions the victim led"] = f"{events['partitions led']} of {PARTITIONS}"
    counts.info[f"node {events['node']} {what}"] = (
        f"{fault_after_s:.0f} s into the ingest / {fault_s:.0f} s "
        f"(whole again {events['restart_s']} s later)"
    )
    return ClusterRun(counts, timings, events)


async def coordinator(cluster: KafkaCluster, group: str) -> int:
    """The node id of the consumer group's coordinator."""
    admin = AIOKafkaAdminClient(**cluster.client_options(), request_timeout_ms=10000)
    await admin.start()
    try:
        return int(await admin.find_coordinator(group))
    finally:
        await admin.close()


# --------------------------------------------------------------------------- the timings


async def measure(
    stack: Stack, ingest: Ingest, posyandu: list[str], fault_at: datetime, pace_s: float
) -> Timings:
    async with connect(stack.databases["health"]) as health:
        outbox = await health.fetch(
            "SELECT event_id, event_type, created_at, sent_at FROM outbox "
            "WHERE event_key = ANY($1) AND sent_at IS NOT NULL",
            posyandu,
        )
    detections = {r["event_id"]: r["sent_at"] for r in outbox if r["event_type"] == DETECTED}
    async with connect(stack.databases["social"]) as social:
        effects = await social.fetch(
            "SELECT event_id, processed_at FROM inbox WHERE consumer = $1 AND event_id = ANY($2)",
            CONSUMER,
            list(detections),
        )
    answers = sorted(at for at, _ in ingest.answered_at)
    effect_times = sorted(r["processed_at"] for r in effects)
    after = [
        r["processed_at"] for r in effects if detections[r["event_id"]] > fault_at
    ]  # effects of events the relay published after the fault struck
    return Timings(
        pace_s=pace_s,
        http_stall_s=longest_gap(answers),
        publication_stall_s=publication_stall([(r["created_at"], r["sent_at"]) for r in outbox]),
        longest_outbox_wait_s=max(
            ((r["sent_at"] - r["created_at"]).total_seconds() for r in outbox), default=0.0
        ),
        consumers_resumed_s=(min(after) - fault_at).total_seconds() if after else None,
        longest_effect_gap_s=longest_gap(effect_times),
        longest_consume_delay_s=max(
            ((r["processed_at"] - detections[r["event_id"]]).total_seconds() for r in effects),
            default=0.0,
        ),
    )


def longest_gap(moments: Sequence[datetime]) -> float:
    """The longest time between successive moments (sorted), in seconds."""
    return max(((b - a).total_seconds() for a, b in pairwise(moments)), default=0.0)


def publication_stall(rows: Sequence[tuple[datetime, datetime]]) -> float:
    """The longest time nothing was published while an event waited: for successive distinct
    publication moments t1 < t2, t2 - max(t1, the earliest creation among rows sent at t2).
    ``rows``: (created_at, sent_at) per published outbox row."""
    earliest: dict[datetime, datetime] = {}
    for created, sent in rows:
        earliest[sent] = min(created, earliest.get(sent, created))
    moments = sorted(earliest)
    stalls = [(t2 - max(t1, earliest[t2])).total_seconds() for t1, t2 in pairwise(moments)]
    return max([0.0, *stalls])


# --------------------------------------------------------------------------- CLI


def sizes(quick: bool) -> dict[str, Any]:
    """Quick: a short run, but a pause still outlasts the session timeouts (~10 s)."""
    if not quick:
        return {}
    return {"posyandu": 4, "fault_after_s": 4.0, "fault_s": 15.0, "after_s": 8.0}


async def run(infra: Infra, quick: bool, only: Sequence[Kind]) -> list[ClusterRun]:
    assert infra.cluster is not None
    stack = await asyncio.to_thread(infra.stack, *SERVICES, cluster=True)
    results = []
    for kind in only:
        results.append(await cluster_fault(stack, infra.cluster, kind, **sizes(quick)))
        results[-1].print()
    return results


def main() -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--only", default=",".join(KINDS))
    options = args.parse_args()
    only = [k for k in KINDS if k in options.only.split(",")]
    quiet_kafka_logs()
    report = Report("cluster_faults")
    with Infra(broker=False, cluster=True) as infra:
        results = asyncio.run(run(infra, options.quick, only))
    for kind, r in zip(only, results, strict=True):
        c, t = r.counts, r.timings
        report.figure(f"{kind}: lost", c.lost_total, "", target="0", met=c.lost_total == 0)
        report.figure(
            f"{kind}: duplicated effects", c.duplicated_total, "", target="0",
            met=c.duplicated_total == 0,
        )  # fmt: skip
        report.figure(f"{kind}: HTTP write stall (pace {t.pace_s:.2f} s)", t.http_stall_s, "s")
        report.figure(f"{kind}: publication stall", t.publication_stall_s, "s")
        report.figure(f"{kind}: longest wait in the outbox", t.longest_outbox_wait_s, "s")
        resumed = t.consumers_resumed_s
        report.figure(f"{kind}: consumers resumed after", -1.0 if resumed is None else resumed, "s")
        report.figure(f"{kind}: longest gap between effects", t.longest_effect_gap_s, "s")
        report.figure(f"{kind}: longest consume delay", t.longest_consume_delay_s, "s")
    lost = sum(r.counts.lost_total for r in results)
    duplicated = sum(r.counts.duplicated_total for r in results)
    report.summary(f"{len(results)} cluster faults, lost: {lost}, duplicated effects: {duplicated}")


if __name__ == "__main__":
    main()
