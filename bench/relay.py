"""Outbox relay: outbox → Kafka events/s, against a raw aiokafka producer with the same
settings sending the same records to the same broker.

An outbox table on a real PostgreSQL database is filled with N ``health.child.measured.v1``
events (``Outbox.add_many``, 1,000 per transaction, keys spread over 100 posyandu); then
``OutboxRelay.publish_pending`` is called until it returns 0 (claim with ``FOR UPDATE SKIP
LOCKED``, send, mark sent — ``relay_batch_size`` rows a round). The raw side is
``simpul_platform.kafka.idempotent_producer`` (acks=all, idempotence, linger 5 ms) sending the
same (key, value, headers) — encoded beforehand — to another topic with the same partitions,
all sends in flight, then awaiting every acknowledgement. Both sides are warmed up first
(producer started, topic created). Each side is measured again with 256 KiB producer batches
(aiokafka's default: 16 KiB), the setting that decides what acks=all on replicas costs.

``--cluster`` runs the same measurement a second time, in the same process, on a three-node
cluster (topics with replication 3 and min ISR 2; acks=all as always) and prints both columns:
what replication costs the relay and the raw producer.

    uv run python -m bench.relay [--quick] [--events 50000] [--cluster]
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import date
from typing import Any

from aiokafka import AIOKafkaProducer

from bench.common import (
    TOKENS,
    Infra,
    Report,
    cluster_fields,
    parser,
    quiet_kafka_logs,
)
from simpul_health.events import ChildMeasured
from simpul_platform.db import Database, platform_metadata
from simpul_platform.kafka import PRODUCER_BATCH_BYTES, ensure_topics, idempotent_producer
from simpul_platform.outbox import Outbox
from simpul_platform.relay import OutboxRelay
from simpul_platform.settings import ServiceSettings

TARGET_SHARE = 0.50
BIG_BATCH_BYTES = PRODUCER_BATCH_BYTES  # the platform's producers' batch
SMALL_BATCH_BYTES = 16 * 1024  # aiokafka's default, which the platform used before part S


def payload(i: int) -> ChildMeasured:
    return ChildMeasured(
        measurement_id=str(uuid.uuid4()),
        person_ref=f"{i:064x}",
        household_ref=f"{i * 7:064x}",
        posyandu_id=str(uuid.UUID(int=i % 100 + 1)),
        desa_code="64.02.06.2012",
        measured_on=date(2026, 10, 5),
        age_days=700,
        sex="F",
        weight_kg=9.8,
        height_cm=78.2,
        measure_position="recumbent",
        haz=-2.31,
        waz=-1.2,
        whz=-0.4,
        bmiz=-0.3,
        height_for_age="stunted",
        weight_for_age="normal",
        weight_for_height="normal",
        growth="N",
        growth_faltering=False,
    )


async def run(
    infra: Infra, events: int, batch_size: int, kafka: dict[str, Any]
) -> dict[str, float]:
    """Rates on the Kafka that ``kafka`` (ServiceSettings fields: where, how, replication)
    names; a fresh database and topic namespace each time."""
    assert infra.postgres is not None  # started by Infra.__enter__
    url = infra.postgres.create_database(f"bench_relay_{uuid.uuid4().hex[:8]}")
    settings = ServiceSettings(
        service_name="bench",
        environment="test",
        jwt_secret=TOKENS.jwt_secret,
        pseudonym_secret=TOKENS.pseudonym_secret,
        kafka_topic_namespace=f"r{uuid.uuid4().hex[:8]}.",
        kafka_topic_partitions=3,
        relay_batch_size=batch_size,
        **kafka,
    )
    db = Database(url)
    await db.create_all(platform_metadata)
    outbox = Outbox(settings)
    rates: dict[str, float] = {}
    try:
        envelopes = make_envelopes(outbox, 1, events)
        rates["fill"], rates["relay"] = await fill_and_drain(
            db, outbox, envelopes, settings, SMALL_BATCH_BYTES
        )
        # The same relay with the platform's 256 KiB producer batches instead of 16 KiB: aiokafka
        # keeps one produce request in flight per broker, and with acks=all each waits for
        # the followers to fetch its batches, so the batch size caps the rate.
        _, rates["relay_big"] = await fill_and_drain(
            db, outbox, make_envelopes(outbox, events + 1, events), settings, BIG_BATCH_BYTES
        )
        raw_topic = settings.topic("bench.raw.v1")
        await ensure_topics(settings, [raw_topic])
        records = [e.to_kafka() for _, e in envelopes]
        small = idempotent_producer(settings, max_batch_size=SMALL_BATCH_BYTES)
        rates["raw"] = events / await send_all(small, raw_topic, records)
        big = idempotent_producer(settings, max_batch_size=BIG_BATCH_BYTES)
        rates["raw_big"] = events / await send_all(big, raw_topic, records)
    finally:
        await db.dispose()
    return rates


def make_envelopes(outbox: Outbox, first: int, events: int) -> list[tuple[str, Any]]:
    """(topic, envelope) of ``events`` measurements numbered from ``first``."""
    return [
        (
            ChildMeasured.topic,
            outbox.envelope(
                p, posyandu_id=p.posyandu_id, wilayah=p.desa_code, subject=p.measurement_id
            ),
        )
        for p in map(payload, range(first, first + events))
    ]


async def fill_and_drain(
    db: Database,
    outbox: Outbox,
    envelopes: list[tuple[str, Any]],
    settings: ServiceSettings,
    max_batch_bytes: int | None = None,
) -> tuple[float, float]:
    """Outbox rows written per second, and published per second by a fresh relay (warmed up
    first: its producer started and the topic made before the clock starts)."""
    options = {} if max_batch_bytes is None else {"max_batch_size": max_batch_bytes}
    relay = OutboxRelay(db, settings, lambda: idempotent_producer(settings, **options))
    try:
        async with db.transaction() as session:
            await outbox.add(session, payload(0), posyandu_id=str(uuid.UUID(int=1)))
        assert await relay.publish_pending() == 1
        started = time.perf_counter()
        for i in range(0, len(envelopes), 1000):
            async with db.transaction() as session:
                await outbox.add_many(session, envelopes[i : i + 1000])
        fill = time.perf_counter() - started
        started = time.perf_counter()
        published = 0
        deadline = time.monotonic() + 600
        while (n := await relay.publish_pending()) and time.monotonic() < deadline:
            published += n
        relay_s = time.perf_counter() - started
        assert published == len(envelopes), (published, len(envelopes))
    finally:
        await relay._close_producer()
    return len(envelopes) / fill, len(envelopes) / relay_s


async def send_all(producer: AIOKafkaProducer, topic: str, records: list[Any]) -> float:
    """Seconds to send every (key, value, headers) and have every acknowledgement (after a
    warm-up send), all sends in flight at once."""
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"warm-up", key=b"warm-up")
        started = time.perf_counter()
        futures = [
            await producer.send(topic, value=value, key=key, headers=headers)
            for key, value, headers in records
        ]
        await asyncio.gather(*futures)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def both(infra: Infra, events: int, batch_size: int) -> list[dict[str, float]]:
    """The single node, then (with a cluster) the cluster, one after the other."""
    runs = [await run(infra, events, batch_size, {"kafka_bootstrap_servers": infra.bootstrap})]
    if infra.cluster is not None:
        runs.append(await run(infra, events, batch_size, cluster_fields(infra.cluster)))
    return runs


def main() -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--events", type=int, default=None, help="outbox rows (50,000)")
    args.add_argument("--batch-size", type=int, default=ServiceSettings().relay_batch_size)
    args.add_argument("--cluster", action="store_true", help="also on a 3-node cluster")
    options = args.parse_args()
    events = options.events or (5_000 if options.quick else 50_000)
    quiet_kafka_logs()
    report = Report("relay")
    with Infra(cluster=options.cluster) as infra:
        runs = asyncio.run(both(infra, events, options.batch_size))
    if options.cluster:
        compare(report, runs, events, options.batch_size)
    else:
        single(report, runs[0], events, options.batch_size)


def compare(report: Report, runs: list[dict[str, float]], events: int, batch_size: int) -> None:
    node, cluster = runs
    report.note("columns: single node (replication 1) | 3-node cluster (replication 3, min ISR 2)")
    for label, key in (
        (f"outbox fill (Outbox.add_many, {events:,} events)", "fill"),
        (f"relay publish_pending until drained (batch {batch_size}, 16 KiB)", "relay"),
        (f"  the same, max_batch_size {BIG_BATCH_BYTES // 1024} KiB", "relay_big"),
        ("raw idempotent producer, same records, 16 KiB", "raw"),
        (f"  the same, max_batch_size {BIG_BATCH_BYTES // 1024} KiB", "raw_big"),
    ):
        report.row(label, [node[key], cluster[key]], "events/s")
    for name, rates in (("single node", node), ("cluster", cluster)):
        share = rates["relay_big"] / rates["raw_big"]
        report.figure(
            f"relay / raw producer, {name}", share * 100, "%", target=f">= {TARGET_SHARE:.0%}",
            met=share >= TARGET_SHARE,
        )  # fmt: skip
    relay, raw = "relay_big", "raw_big"  # the platform's producers
    report.summary(
        f"relay {node[relay]:,.0f} → {cluster[relay]:,.0f} events/s "
        f"({cluster[relay] / node[relay]:.0%}), raw producer {node[raw]:,.0f} → "
        f"{cluster[raw]:,.0f}/s ({cluster[raw] / node[raw]:.0%}) with replication 3"
    )


def single(report: Report, rates: dict[str, float], events: int, batch_size: int) -> None:
    """The platform's producers (256 KiB batches), with aiokafka's 16 KiB default beside."""
    share = rates["relay_big"] / rates["raw_big"]
    report.figure(f"outbox fill (Outbox.add_many, {events:,} events)", rates["fill"], "events/s")
    report.figure(
        f"relay publish_pending until drained (batch {batch_size})",
        rates["relay_big"],
        "events/s",
    )
    report.figure("raw idempotent producer, same records", rates["raw_big"], "events/s")
    report.figure("  relay with 16 KiB producer batches", rates["relay"], "events/s")
    report.figure("  raw producer with 16 KiB batches", rates["raw"], "events/s")
    report.figure(
        "relay / raw producer", share * 100, "%", target=f">= {TARGET_SHARE:.0%}",
        met=share >= TARGET_SHARE,
    )  # fmt: skip
    report.summary(
        f"relay {rates['relay_big']:,.0f} events/s = {share:.0%} of the raw producer "
        f"({rates['raw_big']:,.0f}/s) on {events:,} events"
    )


if __name__ == "__main__":
    main()
