"""Faults on the real processes; each ends with "lost: N, duplicated effects: N".

1. broker   — the Kafka broker is SIGKILLed in the middle of an ingest run and restarted a
              minute later (``--quick``: 10 s); uploads keep going the whole time.
2. service  — health is SIGKILLed while it handles a bulk batch and restarted; the client
              retries the batch with the same Idempotency-Key until it gets a 2xx.
3. consumer — social is SIGKILLed while it works through a burst of stunting detections
              (between effects and offset commits) and restarted.

Counting (``count``): measurement rows in health's database = the ids answered 2xx; every outbox
row reached the topic (read back, deduplicated by ce_id) and every row has its
``health.child.measured.v1``; every stunting episode has exactly one priority case in social,
and social's per-episode detection count equals the detections health published (a redelivery
that slipped past the inbox would count twice). The smoke tests in
``tests/e2e/test_faults_smoke.py`` run these same scenarios with a few records.

    uv run python -m bench.faults [--quick] [--only broker,service,consumer]
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from bench.common import (
    Infra,
    Ingest,
    Report,
    connect,
    ms,
    paced,
    parser,
    post_bulk,
    quiet_kafka_logs,
)
from bench.fault_counts import (
    Counts,
    count,
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

# --------------------------------------------------------------------------- set-up

SERVICES = ("registry", "health", "social")


async def seed(
    stack: Stack, label: str, *, posyandu: int, per_posyandu: int, stunted: float, seed: int
) -> tuple[list[str], list[Any]]:
    """Fresh posyandu (registry REST, waiting for health's and social's replicas), their balita
    (health's ``targets``) and households with a priority decile (social's ``household``)."""
    async with httpx.AsyncClient(timeout=30) as client:
        places = await create_posyandu(client, stack, posyandu, label=label)
    ids = [p for p, _ in places]
    await wait_replicas(stack, ids, ["health", "social"])
    children = balita(places, per_posyandu, seed=seed, stunted=stunted, serial_from=seed * 100_000)
    await insert_targets(stack, children)
    await insert_households(stack, children)
    return ids, children


# --------------------------------------------------------------------------- the faults


async def broker_fault(
    stack: Stack,
    broker: Any,
    *,
    posyandu: int = 8,
    per_posyandu: int = 100,
    per_request: int = 20,
    kill_after_s: float = 8.0,
    down_s: float = 60.0,
    after_s: float = 10.0,
) -> Counts:
    """Uploads at a steady pace for kill + down + after seconds; the broker dies at kill."""
    ids, children = await seed(
        stack, "Broker", posyandu=posyandu, per_posyandu=per_posyandu, stunted=0.3, seed=11
    )
    requests = bulk_requests(children, per_request)
    random.Random(1).shuffle(requests)
    span = kill_after_s + down_s + after_s
    ingest, downtime = Ingest(), dict[str, float]()

    async def outage() -> None:
        await asyncio.sleep(kill_after_s)
        broker.kill()
        downtime["killed_at"] = ingest.requests
        await asyncio.sleep(down_s)
        started = time.monotonic()
        await asyncio.to_thread(broker.start)
        downtime["restart_s"] = round(time.monotonic() - started, 1)

    await ingest_during(outage, stack, requests, ingest, span)
    result = await count(stack, ingest, "broker killed mid-ingest", ids)
    result.info["requests before the kill / during+after"] = (
        f"{downtime.get('killed_at')} / {ingest.requests - downtime.get('killed_at', 0)}"
    )
    result.info["broker down / restart took"] = f"{down_s:.0f} s / {downtime.get('restart_s')} s"
    result.info["write latency over the run, outage included (p50/p99 ms)"] = _p(ingest)
    return result


async def service_fault(
    stack: Stack,
    *,
    posyandu: int = 6,
    per_posyandu: int = 200,
    per_request: int = 200,
    kills: int = 3,
) -> Counts:
    """Batches one after another; ``kills`` of them have health SIGKILLed mid-request."""
    ids, children = await seed(
        stack, "Service", posyandu=posyandu, per_posyandu=per_posyandu, stunted=0.3, seed=12
    )
    requests = bulk_requests(children, per_request)
    victims = set(range(2, len(requests), max(1, (len(requests) - 2) // kills))[:kills])
    if len(victims) < kills:
        raise ValueError(f"{len(requests)} requests leave room for {len(victims)} of {kills} kills")
    ingest, kill_log = Ingest(), list[float]()
    deadline = time.monotonic() + 300
    async with httpx.AsyncClient(timeout=30) as client:
        for i, request in enumerate(requests):
            if i not in victims:
                await send(client, stack, request, ingest, deadline)
                continue
            typical = sorted(ingest.latencies)[len(ingest.latencies) // 2]
            delay = typical * (0.3 + 0.6 * len(kill_log) / max(1, kills - 1))
            killer = asyncio.create_task(_kill_and_restart(stack, "health", delay, kill_log))
            try:
                await send(client, stack, request, ingest, deadline)
            finally:
                await killer
    result = await count(stack, ingest, "health killed mid-batch", ids)
    result.info["kills (ms into the request)"] = ", ".join(f"{k:.0f}" for k in kill_log)
    return result


async def consumer_fault(
    stack: Stack, *, posyandu: int = 6, per_posyandu: int = 100, kill_at: float = 0.3
) -> Counts:
    """social stopped; health publishes a burst of detections; social restarts, and is
    SIGKILLed once ``kill_at`` of the burst has become priority cases; restarted again."""
    ids, children = await seed(
        stack, "Consumer", posyandu=posyandu, per_posyandu=per_posyandu, stunted=1.0, seed=13
    )
    social_process = stack.processes["social"]
    await asyncio.to_thread(social_process.stop)
    # While it works through the burst, social applies small chunks and holds each chunk's
    # offset commit for a second after committing its effects (fault injection; test
    # environment only), so the kill below lands in that window for certain, not by luck,
    # and part of the burst is left for after the restart.
    normal_env = dict(social_process.env)
    social_process.env["SIMPUL_FAULT_HOLD_OFFSET_COMMIT_S"] = "1"
    social_process.env["SIMPUL_CONSUMER_BATCH_SIZE"] = "10"
    ingest = Ingest()
    deadline = time.monotonic() + 300
    async with httpx.AsyncClient(timeout=30) as client:
        for request in bulk_requests(children, 250):
            await send(client, stack, request, ingest, deadline)
    burst = len(ingest.acknowledged)
    async with connect(stack.databases["health"]) as health:
        while await health.fetchval(  # noqa: ASYNC110 - polling another process's database
            "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
        ):
            await asyncio.sleep(0.1)
    restart = asyncio.create_task(asyncio.to_thread(stack.restart, "social"))
    cases_at_kill = None
    try:
        async with connect(stack.databases["social"]) as social:
            while time.monotonic() < deadline:
                cases = await social.fetchval(
                    "SELECT count(*) FROM priority_case WHERE posyandu_id = ANY($1)", ids
                )
                if cases >= kill_at * burst:
                    stack.processes["social"].kill()
                    cases_at_kill = cases
                    break
                await asyncio.sleep(0.005)
    finally:
        with contextlib.suppress(RuntimeError):  # "social exited": we killed it while it booted
            await restart
    social_process.env = normal_env
    if cases_at_kill is None:
        raise RuntimeError("social never got going on the burst")
    await asyncio.to_thread(stack.restart, "social")
    result = await count(stack, ingest, "social killed between effects and offset commit", ids)
    result.info["burst / priority cases when killed"] = f"{burst} / {cases_at_kill}"
    return result


async def ingest_during(
    fault: Callable[[], Coroutine[Any, Any, None]],
    stack: Any,
    requests: list[Any],
    ingest: Ingest,
    span: float,
) -> None:
    """Send ``requests`` paced over ``span`` seconds while ``fault`` runs beside them."""
    deadline = time.monotonic() + span + 120
    async with httpx.AsyncClient(timeout=30) as client:
        task = asyncio.create_task(fault())
        try:
            await paced(
                len(requests),
                len(requests) / span,
                deadline,
                lambda i: send(client, stack, requests[i], ingest, deadline),
            )
            await task
        finally:
            task.cancel()


async def send(
    client: httpx.AsyncClient,
    stack: Stack,
    request: tuple[str, list[dict[str, Any]]],
    ingest: Ingest,
    deadline: float,
) -> None:
    """One bulk upload (posyandu id, items), retried with its Idempotency-Key until a 2xx."""
    pid, items = request
    await post_bulk(client, stack.url("health"), pid, items, ingest, deadline=deadline)


async def _kill_and_restart(stack: Stack, name: str, delay: float, log: list[float]) -> None:
    await asyncio.sleep(delay)
    stack.processes[name].kill()
    log.append(delay * 1000)
    await asyncio.to_thread(stack.restart, name)


def _p(ingest: Ingest) -> str:
    figures = ms(ingest.latencies)
    return f"{figures['p50']:.0f} / {figures['p99']:.0f}"


# --------------------------------------------------------------------------- CLI


async def run(infra: Infra, quick: bool, only: set[str]) -> list[Counts]:
    stack = await asyncio.to_thread(infra.stack, *SERVICES)
    results = []
    if "broker" in only:
        sizes: dict[str, Any] = {"down_s": 10.0, "posyandu": 4} if quick else {}
        results.append(await broker_fault(stack, infra.broker, **sizes))
        results[-1].print()
    if "service" in only:
        sizes = {"posyandu": 2, "per_request": 100, "kills": 2} if quick else {}
        results.append(await service_fault(stack, **sizes))
        results[-1].print()
    if "consumer" in only:
        sizes = {"posyandu": 2} if quick else {}
        results.append(await consumer_fault(stack, **sizes))
        results[-1].print()
    return results


def main() -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--only", default="broker,service,consumer")
    options = args.parse_args()
    quiet_kafka_logs()
    report = Report("faults")
    with Infra() as infra:
        results = asyncio.run(run(infra, options.quick, set(options.only.split(","))))
    for r in results:
        report.figure(f"{r.name}: lost", r.lost_total, "", target="0", met=r.lost_total == 0)
        report.figure(
            f"{r.name}: duplicated effects",
            r.duplicated_total,
            "",
            target="0",
            met=r.duplicated_total == 0,
        )
    lost = sum(r.lost_total for r in results)
    duplicated = sum(r.duplicated_total for r in results)
    report.summary(f"{len(results)} faults, lost: {lost}, duplicated effects: {duplicated}")


if __name__ == "__main__":
    main()
