"""Replica lag: the registry's 201 for a new posyandu → health's and social's posyandu replica
holding it, p50/p99; and what a write in a field service right after the 201 gets.

registry, health and social run under uvicorn on the real broker and PostgreSQL, with the
test stack's relay poll (0.05 s; the deployment's default is 0.1 s) and the shipped consumer
settings. Posyandu are created one at a time through
the registry's REST API, a pause apart (so each crosses the path alone: registry outbox →
relay → ``simpul.registry.v1`` → each field service's replica consumer).

Clock: both timestamps are this machine's wall clock (UTC). Start = when the client received
the registry's 201 (the commit happened just before it). End = the replica row's
``updated_at``, which the field service's consumer sets to its ``now()`` inside the
transaction that inserts it, just before the commit. Both understate a little, as in
``bench.end_to_end``. The lag is read from the field service's database, so no request to
the field service can shorten it (a write that misses the replica confirms the posyandu with
the registry and stores it).

Right after: for other posyandu, health's ``POST /v1/targets`` is sent the moment the 201
arrives, before the replica can have the posyandu: the write must be taken (201), confirmed
with the registry over REST. Its latency is shown beside a write to a posyandu the replica
already holds.

    uv run python -m bench.replica_lag [--quick] [--posyandu 40] [--pause 0.3]
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from bench.common import DPMD, OPD_HEALTH, Infra, Report, dsn, ms, parser, quiet_kafka_logs
from simpul_platform.testing.stack import Stack

DESA = "64.02.06.2012"
FIELD_SERVICES = ("health", "social")
TARGET_P99_MS = 500.0
BIRTH = date.today() - timedelta(days=400)


async def create(client: httpx.AsyncClient, stack: Stack) -> tuple[str, datetime]:
    """A new posyandu through the registry; its id and when the 201 arrived."""
    response = await client.post(
        f"{stack.url('registry')}/v1/posyandu",
        headers=DPMD,
        json={
            "name": f"Posyandu Lag {uuid.uuid4().hex[:8]}",
            "desa_code": DESA,
            "fields": list(FIELD_SERVICES),
        },
    )
    answered = datetime.now(UTC)
    response.raise_for_status()
    posyandu_id: str = response.json()["id"]
    return posyandu_id, answered


async def replicated_at(conn: Any, posyandu_id: str, deadline: float) -> datetime:
    while time.monotonic() < deadline:
        applied: datetime | None = await conn.fetchval(
            "SELECT updated_at FROM posyandu_replica WHERE posyandu_id = $1", posyandu_id
        )
        if applied is not None:
            return applied
        await asyncio.sleep(0.005)
    raise TimeoutError(f"posyandu {posyandu_id} never reached the replica")


async def lags(stack: Stack, count: int, pause: float) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {name: [] for name in FIELD_SERVICES}
    async with httpx.AsyncClient(timeout=30) as client:
        conns = {name: await _open(stack, name) for name in FIELD_SERVICES}
        try:
            for i in range(count + 1):  # the first warms the path up and is not counted
                posyandu_id, answered = await create(client, stack)
                deadline = time.monotonic() + 60
                for name, conn in conns.items():
                    applied = await replicated_at(conn, posyandu_id, deadline)
                    if i:
                        found[name].append((applied - answered).total_seconds())
                await asyncio.sleep(pause)
        finally:
            for conn in conns.values():
                await conn.close()
    return found


async def _open(stack: Stack, name: str) -> Any:
    return await asyncpg.connect(dsn(stack.databases[name]))


def target(posyandu_id: str, serial: int) -> dict[str, Any]:
    return {
        "nik": f"640206{BIRTH.day:02d}{BIRTH.month:02d}{BIRTH.year % 100:02d}{serial:04d}",
        "kk": None,
        "name": "Anak",
        "sex": "M",
        "birth_date": BIRTH.isoformat(),
        "posyandu_id": posyandu_id,
    }


async def writes_right_after(stack: Stack, count: int, pause: float) -> dict[str, Any]:
    """A health write the moment the registry answered 201, then one once replicated."""
    at_once: list[float] = []
    replicated: list[float] = []
    refused: list[str] = []
    url = f"{stack.url('health')}/v1/targets"
    async with httpx.AsyncClient(timeout=30) as client:
        conn = await _open(stack, "health")
        try:
            for i in range(count):
                posyandu_id, _ = await create(client, stack)
                started = time.perf_counter()
                body = target(posyandu_id, 2 * i + 1)  # serial 0 is not a valid NIK
                first = await client.post(url, json=body, headers=OPD_HEALTH)
                at_once.append(time.perf_counter() - started)
                if first.status_code != 201:
                    refused.append(f"{first.status_code} {first.text[:120]}")
                await replicated_at(conn, posyandu_id, time.monotonic() + 60)
                started = time.perf_counter()
                later = await client.post(
                    url, json=target(posyandu_id, 2 * i + 2), headers=OPD_HEALTH
                )
                replicated.append(time.perf_counter() - started)
                if later.status_code != 201:
                    refused.append(f"{later.status_code} {later.text[:120]}")
                await asyncio.sleep(pause)
        finally:
            await conn.close()
    return {"at_once": at_once, "replicated": replicated, "refused": refused}


def main() -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--posyandu", type=int, default=None, help="posyandu timed (40; quick 10)")
    args.add_argument("--pause", type=float, default=0.3, help="seconds between posyandu")
    options = args.parse_args()
    count = options.posyandu or (10 if options.quick else 40)
    quiet_kafka_logs()
    report = Report("replica_lag")
    with Infra() as infra:
        stack = infra.stack("registry", "health", "social")
        found = asyncio.run(lags(stack, count, options.pause))
        writes = asyncio.run(writes_right_after(stack, max(count // 2, 5), options.pause))
    worst = 0.0
    for name in FIELD_SERVICES:
        lag = ms(found[name])
        worst = max(worst, lag["p99"])
        report.figure(f"registry 201 → {name} replica p50", lag["p50"], "ms")
        report.figure(
            f"registry 201 → {name} replica p99", lag["p99"], "ms",
            target=f"<= {TARGET_P99_MS:,.0f} ms", met=lag["p99"] <= TARGET_P99_MS,
        )  # fmt: skip
        report.figure(f"registry 201 → {name} replica max", lag["max"], "ms")
    total = len(writes["at_once"]) + len(writes["replicated"])
    taken = total - len(writes["refused"])
    report.figure(
        "health writes taken (right after the 201, and once replicated)", taken, f"of {total}",
        target="all", met=taken == total,
    )  # fmt: skip
    at_once, replicated = ms(writes["at_once"]), ms(writes["replicated"])
    report.figure("  write right after the 201 (confirmed over REST) p50", at_once["p50"], "ms")
    report.figure("  write once replicated p50", replicated["p50"], "ms")
    for refusal in writes["refused"][:5]:
        report.note(f"refused: {refusal}")
    report.summary(
        f"{count} posyandu: registry 201 → replica p99 {worst:.0f} ms (worst of "
        f"{', '.join(FIELD_SERVICES)}); {taken} of {total} health writes taken, "
        f"right after the 201 p50 {at_once['p50']:.0f} ms"
    )


if __name__ == "__main__":
    main()
