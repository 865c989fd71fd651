"""End to end: a measurement committed in health → every field's reaction to the stunting it
detects committed in that field, p50/p95/p99 per field at a fixed offered rate (default 200
measurements/s for 20 s); the target is p99 ≤ 1 s for every field.

registry, health, social, education, housing and public works run under uvicorn on the real
broker and PostgreSQL. Every balita is stunted (HAZ −2.6, the worst case: every measurement is
a detection) and measured once; health's outbox → relay → ``simpul.health.v1`` → each field's
consumer (inbox, reaction). Four fields react (``bench.end_to_end_fields`` says which row is
each one's reaction and what each is seeded with): social opens a priority case (every
household has decile 2), education, housing and public works each record one decision per
detection, and open a referral for the share their rules pick (printed as "reacted").

``--stunted 0.15`` makes a realistic mix instead (Kukar reports ~15% stunting): then only
that share of the measurements is a detection, and only those are timed.

Load is open-loop: a bulk request of ``--batch`` items every batch/rate seconds, sent on
schedule whether or not earlier ones have been answered (at most 64 in flight).

Clock: both timestamps are commit times on the one database server (``pg_xact_commit_timestamp``;
it runs with ``track_commit_timestamp = on``). Start = the commit of the transaction that
stored the measurement in health (its row's ``xmin``); end = the commit of the transaction
that wrote the field's reaction row. (The client's 2xx is not the start: when health's API is
busy, the answer can leave it seconds after the commit, and reactions would seem to come
before their cause; that lag is printed on its own, as commit → 2xx.) Matched by measurement id
(social's ``detection_measurement_id``; the decision tables' ``event_id`` through health's
outbox). Each field's latency is split into commit → health's outbox row marked sent (the relay's
part, shared) and sent → committed (the field's consumer).

CPU: each service process's own CPU time (user + system, from ``/proc``) from the first
request until the last reaction is seen, per measurement (health) and per reaction row
committed (each field: its consumers and its relay, so a field's other consumers of the same
detections count too, e.g. public works' known households; a field done early idles a little
in that window, and one that did not finish has work in flight). Far
less sensitive to other load on the machine than wall time.

``--split``: health runs as deployed (issue 21's roles): an API process answering the
requests and a worker process running its relay and consumers, so the two do not share an
event loop. (The stack's ``url("health")`` is the API.)

``--cluster``: the same run a second time, in the same process, with fresh services on a
three-node cluster (topics with replication 3 and min ISR 2; acks=all as always); the
single-node stack is stopped first so both runs have the machine to themselves. Both columns
are printed side by side: what replication costs from measurement to each reaction.

    uv run python -m bench.end_to_end [--quick] [--rate 200] [--seconds 20] [--batch 10]
        [--stunted 1.0] [--cluster] [--split]
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from datetime import datetime
from itertools import zip_longest
from typing import Any

import httpx

from bench.common import (
    Infra,
    Ingest,
    Report,
    connect,
    ms,
    parser,
    percentile,
    post_bulk,
    quiet_kafka_logs,
)
from bench.end_to_end_fields import (
    FIELDS,
    REGISTRY_FIELDS,
    SERVICES,
    Reactions,
    read_reactions,
    seed_fields,
)
from bench.end_to_end_report import report_runs
from bench.seeding import (
    balita,
    bulk_requests,
    create_posyandu,
    insert_households,
    insert_targets,
    wait_replicas,
)
from simpul_platform.testing.stack import Split, Stack

DETECTED = "health.stunting.detected.v1"
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_s(stack: Stack, name: str) -> float:
    """CPU seconds (user + system) the service's processes (API and workers, when split)
    have used so far."""
    total = 0.0
    for process in stack.processes.values():
        if process.entry.name != name:
            continue
        pid = process._process.pid  # type: ignore[union-attr]  # bench-only peek
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
    return total


def spread(values_s: list[float]) -> dict[str, float]:
    """p50/p95/p99/max in ms."""
    return ms(values_s) | {"p95": percentile(values_s, 95) * 1000}


async def prepare(
    stack: Stack, total: int, stunted: float, seed: int, batch: int
) -> tuple[list[tuple[str, list[dict[str, Any]]]], int]:
    """Posyandu, balita and what every field knows of them; the bulk requests to send, round
    robin over posyandu (keys, so every partition is busy from the start), and the count of
    detections they make."""
    posyandu = max(1, total // 200)
    async with httpx.AsyncClient(timeout=30) as client:
        places = await create_posyandu(client, stack, posyandu, fields=REGISTRY_FIELDS)
    await wait_replicas(stack, [p for p, _ in places], [f.service for f in FIELDS])
    children = balita(places, -(-total // posyandu), seed=seed, stunted=stunted)[:total]
    await insert_targets(stack, children)
    await insert_households(stack, children)
    await seed_fields(stack.databases, children, seed)
    by_posyandu: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
    for request in bulk_requests(children, batch):
        by_posyandu.setdefault(request[0], []).append(request)
    requests = [r for group in zip_longest(*by_posyandu.values()) for r in group if r]
    return requests, sum(c.haz < -2 for c in children)


async def send(
    stack: Stack, requests: list[tuple[str, list[dict[str, Any]]]], interval: float, deadline: float
) -> tuple[Ingest, float]:
    """The requests, open loop, one every ``interval`` seconds; the ingest and how long the
    schedule took."""
    ingest = Ingest()
    in_flight = asyncio.Semaphore(64)

    async def one(request: tuple[str, list[dict[str, Any]]], client: httpx.AsyncClient) -> None:
        async with in_flight:
            await post_bulk(client, stack.url("health"), *request, ingest, deadline=deadline)

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        started = time.monotonic()
        tasks = []
        for i, request in enumerate(requests):
            wait = started + i * interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            tasks.append(asyncio.create_task(one(request, client)))
        sent_s = time.monotonic() - started
        await asyncio.gather(*tasks)
    return ingest, sent_s


async def detections(stack: Stack) -> dict[str, tuple[str, datetime | None]]:
    """Health's stunting detections: event id → (measurement id, when the relay marked it sent)."""
    async with connect(stack.databases["health"]) as health:
        rows = await health.fetch(
            "SELECT event_id, data::json->>'measurement_id', sent_at FROM outbox "
            "WHERE event_type = $1",
            DETECTED,
        )
    return {r[0]: (r[1], r[2]) for r in rows}


async def measurement_commits(stack: Stack) -> dict[str, datetime]:
    """When each measurement's transaction committed in health: measurement id → time."""
    async with connect(stack.databases["health"]) as health:
        rows = await health.fetch("SELECT id, pg_xact_commit_timestamp(xmin) FROM measurements")
    return {r[0]: r[1] for r in rows if r[1] is not None}


async def reactions(
    stack: Stack, expected: int, deadline: float
) -> tuple[dict[str, Reactions], dict[str, tuple[str, datetime | None]]]:
    """Every field's reaction rows, once each has one per detection (or at the deadline)."""
    seen: dict[str, Reactions] = {}
    while True:
        detected = await detections(stack)
        measurement_of = {event: m for event, (m, _) in detected.items()}
        for field in FIELDS:
            url = stack.databases[field.service]
            seen[field.name] = await read_reactions(url, field, measurement_of)
        done = all(len(r.committed) >= expected for r in seen.values())
        if done or time.monotonic() > deadline:
            return seen, detected
        await asyncio.sleep(1.0)


async def run(
    stack: Stack, rate: float, seconds: float, batch: int, stunted: float = 1.0, seed: int = 21
) -> dict[str, Any]:
    """One run on ``stack``; a second run in the same process needs another ``seed`` (the
    seeding never issues a NIK twice in one process)."""
    requests, expected = await prepare(stack, int(rate * seconds), stunted, seed, batch)
    deadline = time.monotonic() + seconds + 120
    services = ("health", *(f.service for f in FIELDS))
    cpu_before = {name: cpu_s(stack, name) for name in services}
    ingest, sent_s = await send(stack, requests, batch / rate, deadline)
    answered: dict[str, datetime] = {}
    for at, result in ingest.answered_at:
        for item in result["results"]:
            if item.get("measurement_id"):
                answered[item["measurement_id"]] = at
    seen, detected = await reactions(stack, expected, deadline)
    stored = await measurement_commits(stack)
    start = {m: stored[m] for m in answered if m in stored}
    cpu = {name: cpu_s(stack, name) - before for name, before in cpu_before.items()}
    sent = {m: at for m, at in detected.values() if at is not None}
    fields = {}
    for field in FIELDS:
        committed = seen[field.name].committed
        per_chunk, spans, per_row = seen[field.name].chunks()
        fields[field.name] = {
            "per_chunk": per_chunk,
            "chunk": spread(spans),
            "chunk_per_row": spread(per_row),
            "latency": spread(
                [(committed[m] - start[m]).total_seconds() for m in committed if m in start]
            ),
            "consume": spread(
                [(committed[m] - sent[m]).total_seconds() for m in committed if m in sent]
            ),
            "rows": len(committed),
            "referred": seen[field.name].referred,
            "decisions": Counter(seen[field.name].decisions.values()),
            "cpu_ms": cpu[field.service] * 1000 / max(len(committed), 1),
            "before_2xx": sum(committed[m] < answered[m] for m in committed if m in answered),
        }
    relay = [(sent[m] - start[m]).total_seconds() for m in start if m in sent]
    answer_lag = [(answered[m] - start[m]).total_seconds() for m in start]
    return {
        "offered": sum(len(items) for _, items in requests) / sent_s,
        "measurements": len(answered),
        "detections": len(detected),
        "expected": expected,
        "post": spread(ingest.latencies),
        "relay": spread(relay),
        "answer_lag": spread(answer_lag),
        "health_cpu_ms": cpu["health"] * 1000 / max(len(answered), 1),
        "fields": fields,
    }


def main() -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--rate", type=float, default=200.0, help="measurements/s offered")
    args.add_argument("--seconds", type=float, default=None, help="duration (20; quick 8)")
    args.add_argument("--batch", type=int, default=10, help="items per bulk request")
    args.add_argument(
        "--stunted", type=float, default=1.0, help="share of balita stunted (1.0: every one)"
    )
    args.add_argument("--cluster", action="store_true", help="also on a 3-node cluster")
    args.add_argument(
        "--split",
        action="store_true",
        help="health as deployed: an API process and a worker (relay, consumers)",
    )
    options = args.parse_args()
    split = {"health": Split(apis=1, workers=1)} if options.split else None
    seconds = options.seconds or (8.0 if options.quick else 20.0)
    quiet_kafka_logs()
    report = Report("end_to_end")
    runs = []
    commit_times = {"track_commit_timestamp": "on"}
    with Infra(cluster=options.cluster, postgres_settings=commit_times) as infra:
        for i, on_cluster in enumerate((False, True) if options.cluster else (False,)):
            stack = infra.stack(*SERVICES, cluster=on_cluster, split=split)
            each = (stack, options.rate, seconds, options.batch, options.stunted, 21 + i)
            runs.append(asyncio.run(run(*each)))
            stack.stop()
    report_runs(report, runs, options.rate)


if __name__ == "__main__":
    main()
