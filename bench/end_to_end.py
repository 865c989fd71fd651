"""End to end: a measurement committed in health → the priority case committed in social,
p50/p99 at a fixed offered rate (default 200 measurements/s for 20 s).

registry, health and social run under uvicorn on the real broker and PostgreSQL. Every balita
is stunted (HAZ −2.6, the worst case: every measurement is a detection) and measured once,
and its household (social's ``household`` table) has decile 2, so every measurement opens a
stunting episode and social must open one priority case for it: health's outbox → relay →
``simpul.health.v1`` → social's consumer (inbox, reaction) → ``priority_case``.

``--stunted 0.15`` makes a realistic mix instead (Kukar reports ~15% stunting): then only
that share of the measurements opens a case, and only those are timed.

Load is open-loop: a bulk request of ``--batch`` items every batch/rate seconds, sent on
schedule whether or not earlier ones have been answered (at most 64 in flight).

Clock: both timestamps are this machine's wall clock (CLOCK_REALTIME, UTC). Start = when the
client received health's 2xx for the request holding the measurement (the commit happened just
before it, so the figure slightly *under*states by the response's trip back). End =
``priority_case.opened_at``, which social sets to its process's ``now()`` inside the consumer's
transaction, just before it commits (so it slightly understates by the commit itself).
The matching is by ``priority_case.detection_measurement_id``.

CPU: each service process's own CPU time (user + system, from ``/proc``) from the first
request until the last case is seen, per measurement (health) and per priority case (social:
its consumer and its relay). Far less sensitive to other load on the machine than wall time.

``--cluster``: the same run a second time, in the same process, with fresh services on a
three-node cluster (topics with replication 3 and min ISR 2; acks=all as always); the
single-node stack is stopped first so both runs have the machine to themselves. Both columns
are printed side by side: what replication costs from measurement to priority case.

    uv run python -m bench.end_to_end [--quick] [--rate 200] [--seconds 20] [--batch 10]
        [--cluster]
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
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
    post_bulk,
    quiet_kafka_logs,
)
from bench.seeding import (
    balita,
    bulk_requests,
    create_posyandu,
    insert_households,
    insert_targets,
    wait_replicas,
)
from simpul_platform.testing.stack import Stack

SERVICES = ("registry", "health", "social")
TARGET_P99_MS = 1000.0
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_s(stack: Stack, name: str) -> float:
    """CPU seconds (user + system) the service's process has used so far."""
    pid = stack.processes[name]._process.pid  # type: ignore[union-attr]  # bench-only peek
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


async def run(
    stack: Stack, rate: float, seconds: float, batch: int, stunted: float = 1.0, seed: int = 21
) -> dict[str, Any]:
    """One run on ``stack``; a second run in the same process needs another ``seed`` (the
    seeding never issues a NIK twice in one process)."""
    total = int(rate * seconds)
    posyandu = max(1, total // 200)
    async with httpx.AsyncClient(timeout=30) as client:
        places = await create_posyandu(client, stack, posyandu)
    await wait_replicas(stack, [p for p, _ in places], ["health", "social"])
    children = balita(places, -(-total // posyandu), seed=seed, stunted=stunted)[:total]
    expected = sum(c.haz < -2 for c in children)
    await insert_targets(stack, children)
    await insert_households(stack, children)
    # round-robin over posyandu (keys), so every partition is busy from the start
    by_posyandu: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
    for request in bulk_requests(children, batch):
        by_posyandu.setdefault(request[0], []).append(request)
    requests = [r for group in zip_longest(*by_posyandu.values()) for r in group if r]
    ingest = Ingest()
    in_flight = asyncio.Semaphore(64)
    interval = batch / rate
    deadline = time.monotonic() + seconds + 120

    async def one(request: tuple[str, list[dict[str, Any]]], client: httpx.AsyncClient) -> None:
        async with in_flight:
            await post_bulk(client, stack.url("health"), *request, ingest, deadline=deadline)

    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    cpu_before = {name: cpu_s(stack, name) for name in ("health", "social")}
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
    answered: dict[str, datetime] = {}
    for at, result in ingest.answered_at:
        for item in result["results"]:
            if item.get("measurement_id"):
                answered[item["measurement_id"]] = at
    opened: dict[str, datetime] = {}
    async with connect(stack.databases["social"]) as social:
        while time.monotonic() < deadline and len(opened) < expected:
            rows = await social.fetch(
                "SELECT detection_measurement_id, opened_at FROM priority_case"
            )
            opened = {r[0]: r[1] for r in rows}
            await asyncio.sleep(0.5)
    cpu = {name: cpu_s(stack, name) - before for name, before in cpu_before.items()}
    latencies = [(opened[m] - answered[m]).total_seconds() for m in opened if m in answered]
    async with connect(stack.databases["health"]) as health:
        sent = {
            r[0]: r[1]
            for r in await health.fetch(
                "SELECT data::json->>'measurement_id', sent_at FROM outbox WHERE event_type = $1",
                "health.stunting.detected.v1",
            )
        }
    relay = [(sent[m] - answered[m]).total_seconds() for m in answered if sent.get(m)]
    consume = [(opened[m] - sent[m]).total_seconds() for m in opened if sent.get(m)]
    return {
        "relay": ms(relay),
        "consume": ms(consume),
        "offered": len(children) / sent_s,
        "measurements": len(answered),
        "cases": len(opened),
        "expected": expected,
        "latency": ms(latencies),
        "post": ms(ingest.latencies),
        "negative": sum(x < 0 for x in latencies),
        "health_cpu_ms": cpu["health"] * 1000 / max(len(answered), 1),
        "social_cpu_ms": cpu["social"] * 1000 / max(len(opened), 1),
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
    options = args.parse_args()
    seconds = options.seconds or (8.0 if options.quick else 20.0)
    quiet_kafka_logs()
    report = Report("end_to_end")
    runs = []
    with Infra(cluster=options.cluster) as infra:
        for i, on_cluster in enumerate((False, True) if options.cluster else (False,)):
            stack = infra.stack(*SERVICES, cluster=on_cluster)
            each = (stack, options.rate, seconds, options.batch, options.stunted, 21 + i)
            runs.append(asyncio.run(run(*each)))
            stack.stop()
    if options.cluster:
        report.note(
            "columns: single node (replication 1) | 3-node cluster (replication 3, min ISR 2)"
        )
        for label, values, unit in rows(runs):
            report.row(label, values, unit)
    else:
        for label, (value,), unit in rows(runs):
            report.figure(label, value, unit)
    for name, figures in zip(("single node", "cluster")[: len(runs)], runs, strict=True):
        report.figure(
            f"measurement → priority case p99, {name}",
            figures["latency"]["p99"],
            "ms",
            target=f"<= {TARGET_P99_MS:,.0f} ms at {options.rate:.0f}/s",
            met=figures["latency"]["p99"] <= TARGET_P99_MS
            and figures["cases"] == figures["expected"],
        )
        if figures["negative"]:
            report.note(f"{name}: {figures['negative']} cases opened before the client saw the 2xx")
    report.summary(
        "; ".join(
            f"{name}: {f['measurements']:,} stunting measurements at {f['offered']:.0f}/s → "
            f"{f['cases']:,} priority cases, p50 {f['latency']['p50']:.0f} ms, "
            f"p99 {f['latency']['p99']:.0f} ms"
            for name, f in zip(("single node", "cluster")[: len(runs)], runs, strict=True)
        )
    )


def rows(runs: list[dict[str, Any]]) -> list[tuple[str, list[float], str]]:
    """Every figure of the runs, one value per run, in the order printed."""

    def each(pick: Callable[[dict[str, Any]], float]) -> list[float]:
        return [pick(f) for f in runs]

    table = [
        ("offered rate (achieved schedule)", each(lambda f: f["offered"]), "measurements/s"),
        ("measurements answered 2xx", each(lambda f: f["measurements"]), ""),
        ("priority cases opened", each(lambda f: f["cases"]), ""),
        ("  (expected)", each(lambda f: f["expected"]), ""),
    ]
    for figure, label in (
        ("post", "health POST latency"),
        ("latency", "measurement → priority case"),
    ):
        for p in ("p50", "p99", *(("max",) if figure == "latency" else ())):
            table.append((f"{label} {p}", each(lambda f: f[figure][p]), "ms"))  # noqa: B023
    for part, label in (("relay", "2xx → outbox row marked sent"), ("consume", "sent → case")):
        for p in ("p50", "p99"):
            table.append((f"  of which {label} {p}", each(lambda f: f[part][p]), "ms"))  # noqa: B023
    table.append(("health CPU per measurement", each(lambda f: f["health_cpu_ms"]), "ms"))
    table.append(
        (
            "social CPU per priority case (consumer + relay)",
            each(lambda f: f["social_cpu_ms"]),
            "ms",
        )
    )
    return table


if __name__ == "__main__":
    main()
