"""Health ingest: bulk upload measurements/s and single-write latency over real HTTP, against
asyncpg inserting the same rows into the same PostgreSQL.

Health runs under uvicorn (relay on, publishing to the real broker) on a real PostgreSQL.
Balita come from the demo population (``devstack.population.generate_balita``), inserted
into health's ``targets`` table; posyandu are created through the registry's REST API and
reach health's replica through Kafka. Then:

* bulk: ``POST /v1/posyandu/{id}/measurements/bulk`` with 1,000 items per request from
  ``--clients`` concurrent clients (each item validated, z-scored, stored, with its outbox
  events, in one transaction per request);
* single: ``POST /v1/posyandu/{id}/measurements`` one after another, latency p50/p99;
* raw: the rows health just wrote (measurements and their outbox rows, same columns and
  values), inserted again into copies of the two tables (``CREATE TABLE .. (LIKE ..
  INCLUDING ALL)``: same indexes and constraints) by asyncpg ``executemany`` in 1,000-row
  transactions — the target's baseline — and by ``COPY`` (``copy_records_to_table``), shown
  for reference.

    uv run python -m bench.ingest [--quick] [--clients 2]
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from bench.common import (
    OPD_HEALTH,
    TODAY,
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
    insert_targets,
    measurement,
    wait_replicas,
)
from simpul_platform.devstack.population import DemoChild
from simpul_platform.testing.stack import Stack

TARGET_RATE = 3000.0
TARGET_SHARE = 0.30


async def bulk(stack: Stack, batches: int, clients: int) -> tuple[Ingest, float, list[DemoChild]]:
    async with httpx.AsyncClient(timeout=60) as client:
        places = await create_posyandu(client, stack, batches + 1, fields=("health",))
    await wait_replicas(stack, [p for p, _ in places], ["health"])
    children = balita(places, 1000, seed=7, stunted=0.15)
    await insert_targets(stack, children)
    single_children = [c for c in children if c.target["posyandu_id"] == places[-1][0]]
    requests = bulk_requests(
        [c for c in children if c.target["posyandu_id"] != places[-1][0]], 1000
    )
    ingest = Ingest()
    queue: asyncio.Queue[tuple[str, list[dict[str, Any]]]] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    deadline = time.monotonic() + 600

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            pid, items = queue.get_nowait()
            await post_bulk(client, stack.url("health"), pid, items, ingest, deadline=deadline)

    async with httpx.AsyncClient(timeout=120) as client:
        # one warm-up request (connection pools, caches) outside the timing
        pid, items = requests[0]
        warm = Ingest()
        await post_bulk(client, stack.url("health"), pid, items[:50], warm, deadline=deadline)
        queue.get_nowait()
        queue.put_nowait((pid, items[50:]))
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    ingest.created += warm.created
    ingest.acknowledged |= warm.acknowledged
    return ingest, elapsed, single_children


async def single(stack: Stack, children: list[DemoChild]) -> list[float]:
    latencies = []
    async with httpx.AsyncClient(timeout=30) as client:
        for child in children:
            body = measurement(child, TODAY)
            url = f"{stack.url('health')}/v1/posyandu/{child.target['posyandu_id']}/measurements"
            started = time.perf_counter()
            response = await client.post(url, json=body, headers=OPD_HEALTH)
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 201, response.text
    return latencies


async def raw(stack: Stack) -> dict[str, float]:
    """asyncpg re-inserting the measurements and outbox rows health wrote; rows/s of each way."""
    out = {}
    async with connect(stack.databases["health"]) as conn:
        measurements = await conn.fetch("SELECT * FROM measurements")
        outbox = await conn.fetch("SELECT * FROM outbox ORDER BY seq")
        m_cols, o_cols = list(measurements[0].keys()), list(outbox[0].keys())
        o_cols.remove("seq")
        o_rows = [tuple(r[c] for c in o_cols) for r in outbox]
        m_rows = [tuple(r[c] for c in m_cols) for r in measurements]
        per = len(o_rows) / len(m_rows)
        await conn.execute("CREATE TABLE raw_measurements (LIKE measurements INCLUDING ALL)")
        await conn.execute("CREATE TABLE raw_outbox (LIKE outbox INCLUDING ALL)")
        m_sql = _insert("raw_measurements", m_cols)
        o_sql = _insert("raw_outbox", o_cols)
        started = time.perf_counter()
        for i in range(0, len(m_rows), 1000):
            async with conn.transaction():
                await conn.executemany(m_sql, m_rows[i : i + 1000])
                await conn.executemany(o_sql, o_rows[int(i * per) : int((i + 1000) * per)])
        out["executemany"] = len(m_rows) / (time.perf_counter() - started)
        await conn.execute("TRUNCATE raw_measurements, raw_outbox")
        started = time.perf_counter()
        for i in range(0, len(m_rows), 1000):
            async with conn.transaction():
                await conn.copy_records_to_table(
                    "raw_measurements", records=m_rows[i : i + 1000], columns=m_cols
                )
                await conn.copy_records_to_table(
                    "raw_outbox",
                    records=o_rows[int(i * per) : int((i + 1000) * per)],
                    columns=o_cols,
                )
        out["copy"] = len(m_rows) / (time.perf_counter() - started)
        await conn.execute("DROP TABLE raw_measurements, raw_outbox")
        out["rows"] = len(m_rows)
        out["outbox_per_measurement"] = per
    return out


def _insert(table: str, columns: list[str]) -> str:
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"


def main() -> None:
    args = parser(__doc__.splitlines()[0])
    args.add_argument("--clients", type=int, default=2)
    args.add_argument("--batches", type=int, default=None, help="1,000-item requests (20)")
    args.add_argument("--singles", type=int, default=None, help="single writes (300)")
    options = args.parse_args()
    batches = options.batches or (5 if options.quick else 20)
    singles = options.singles or (100 if options.quick else 300)
    quiet_kafka_logs()
    report = Report("ingest")
    with Infra() as infra:
        stack = infra.stack("registry", "health")
        ingest, elapsed, spare = asyncio.run(bulk(stack, batches, options.clients))
        rate = ingest.created / elapsed
        report.figure(
            f"bulk upload, {options.clients} clients x 1,000 items",
            rate,
            "measurements/s",
            target=f">= {TARGET_RATE:,.0f}",
            met=rate >= TARGET_RATE,
        )
        lat = ms(ingest.latencies)
        report.figure("bulk request latency p50", lat["p50"], "ms")
        report.figure("bulk request latency p99", lat["p99"], "ms")
        singles_s = asyncio.run(single(stack, spare[:singles]))
        one = ms(singles_s)
        report.figure(f"single write latency p50 ({singles} writes)", one["p50"], "ms")
        report.figure("single write latency p99", one["p99"], "ms")
        baseline = asyncio.run(raw(stack))
    report.figure(
        "raw asyncpg executemany, same rows (+ outbox rows)",
        baseline["executemany"],
        "measurements/s",
    )
    report.figure("raw asyncpg COPY, same rows (+ outbox rows)", baseline["copy"], "measurements/s")
    share = rate / baseline["executemany"]
    report.figure(
        "health bulk / raw executemany",
        share * 100,
        "%",
        target=f">= {TARGET_SHARE:.0%}",
        met=share >= TARGET_SHARE,
    )
    report.figure("health bulk / raw COPY", rate / baseline["copy"] * 100, "%")
    report.note(
        f"{ingest.created:,} measurements by bulk in {elapsed:.1f} s; raw re-inserted "
        f"{baseline['rows']:,.0f} rows with "
        f"{baseline['outbox_per_measurement']:.2f} outbox rows each"
    )
    report.summary(
        f"bulk {rate:,.0f} measurements/s = {share:.0%} of raw executemany "
        f"({baseline['executemany']:,.0f}/s); single write p50 {one['p50']:.0f} ms "
        f"p99 {one['p99']:.0f} ms"
    )


if __name__ == "__main__":
    main()
