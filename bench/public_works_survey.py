"""A survey team's batches through the real public-works app on a real PostgreSQL and Kafka
(both started here, removed after): POST /v1/wash-survey-batches with 1,000 household water
and sanitation surveys a request, each placed on both ladders.

Three passes over the same households: the first surveys (every household new by its No. KK),
those batches sent again (a retry: every household known again by its KK, every survey
unchanged) and a re-survey a year later (every household known, a new survey its latest).
Items per second are the items answered divided by the requests' wall time, beside the target
(≥ 3,000 items/s). The posyandu replica is filled through the platform's own event handler;
the relay runs in the app's process and publishes the
``public_works.household.wash_assessed.v1`` events to the broker while the batches are sent
(``--no-broker``: relay off and no broker, the outbox rows still written in each request's
transaction).

    uv run python -m bench.public_works_survey [--quick] [--requests 20] [--no-broker]
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from bench.common import Report, parser, quiet_kafka_logs, start_broker
from simpul_platform.auth import mint_token
from simpul_platform.devstack.kafka import KafkaBroker
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.events import Envelope
from simpul_platform.outbox import outbox_table
from simpul_platform.replica import apply_posyandu_event
from simpul_platform.testing.asgi import running_app
from simpul_public_works.app import create_app
from simpul_public_works.settings import PublicWorksSettings

TARGET = 3000.0  # items per second
ITEMS = 1000
POSYANDU_PER_REQUEST = 4  # a team's batch covers a few posyandu of one desa
DESA = [f"64.02.06.20{d:02d}" for d in range(1, 13)]
GROUND = ("sumur_bor", "sumur_terlindung", "sumur_tidak_terlindung", "mata_air_terlindung")
OTHER_SOURCES = ("ledeng", "kran_umum", "air_hujan", "air_permukaan")


def survey(household: int, posyandu_id: str, on: date) -> dict[str, Any]:
    """A plausible survey of household ``household`` on ``on``, different (seeded by the date)
    from one year to the next."""
    rnd = random.Random(household * 7919 + on.year)
    water = rnd.choice(GROUND + OTHER_SOURCES)
    on_premises = rnd.random() < 0.7
    facility = rnd.choice(("sendiri", "sendiri", "bersama", "mck_umum", "tidak_ada"))
    return {
        "kk": f"6402{household:012d}",
        "posyandu_id": posyandu_id,
        "surveyed_on": on.isoformat(),
        "occupants": rnd.randint(1, 8),
        "water_source": water,
        "distance_to_waste_m": float(rnd.randint(3, 25)) if water in GROUND else None,
        "on_premises": on_premises,
        "fetch_minutes": None if on_premises else rnd.randint(5, 60),
        "available_24h": rnd.random() < 0.7,
        "litres_per_person_day": float(rnd.choice((40, 55, 60, 80, 100))),
        "quality": ["keruh"] if rnd.random() < 0.1 else [],
        "e_coli": rnd.choice(("negatif", "positif", None)),
        "toilet_facility": facility,
        "toilet_type": "tidak_ada"
        if facility == "tidak_ada"
        else rnd.choice(("leher_angsa", "leher_angsa", "cemplung_cubluk")),
        "faeces_disposal": rnd.choice(("tangki_septik", "lubang_tanah", "ipal", "tidak_tahu")),
        "septic_emptied_on": (on - timedelta(days=rnd.randint(100, 2000))).isoformat()
        if rnd.random() < 0.3
        else None,
    }


async def seed_posyandu(app: FastAPI, count: int) -> list[str]:
    ids = [str(uuid.UUID(int=i + 1)) for i in range(count)]
    async with app.state.db.transaction() as session:
        for i, posyandu_id in enumerate(ids):
            data = {
                "posyandu_id": posyandu_id,
                "name": f"Posyandu {i + 1}",
                "desa_code": DESA[i // POSYANDU_PER_REQUEST % len(DESA)],
                "status": "registered",
                "fields": ["public_works"],
                "version": 1,
            }
            event = Envelope(
                str(uuid.uuid4()),
                "registry.posyandu.registered.v1",
                "/simpul/registry",
                datetime.now(UTC),
                data,
            )
            await apply_posyandu_event(session, event)
    return ids


async def one_pass(
    client: httpx.AsyncClient, headers: dict[str, str], batches: list[list[dict[str, Any]]]
) -> tuple[list[float], float, dict[str, int]]:
    """Every batch once: the requests' wall times, this process's CPU seconds while they ran
    (the app's, the relay's and the client's, not PostgreSQL's) and the result counts."""
    timings: list[float] = []
    cpu = 0.0
    counts = {"created": 0, "recorded": 0, "unchanged": 0, "errors": 0}
    for items in batches:
        start, cpu_start = time.perf_counter(), time.process_time()
        response = await client.post(
            "/v1/wash-survey-batches", json={"items": items}, headers=headers
        )
        timings.append(time.perf_counter() - start)
        cpu += time.process_time() - cpu_start
        assert response.status_code == 200, response.text
        answer = response.json()
        for key in counts:
            counts[key] += answer[key]
    return timings, cpu, counts


async def pending_events(app: FastAPI) -> int:
    async with app.state.db.sessions() as session:
        query = (
            select(func.count()).select_from(outbox_table).where(outbox_table.c.sent_at.is_(None))
        )
        return int((await session.execute(query)).scalar_one())


async def drained(app: FastAPI, deadline: float) -> int:
    """The events the relay has not published yet, once it has published all or at the
    deadline (``time.perf_counter``)."""
    left = await pending_events(app)
    for _ in range(2000):
        if not left or time.perf_counter() > deadline:
            break
        await asyncio.sleep(0.5)
        left = await pending_events(app)
    return left


async def measure(
    app: FastAPI,
    client: httpx.AsyncClient,
    settings: PublicWorksSettings,
    requests: int,
    relay: bool,
) -> None:
    report = Report("public_works_survey")
    token = mint_token(settings, "bench-dpu", ["opd:public_works"], ["64.02"])
    headers = {"Authorization": f"Bearer {token}"}
    posyandu = await seed_posyandu(app, (requests + 1) * POSYANDU_PER_REQUEST)
    today = date.today()
    first_day, next_year = today - timedelta(days=365), today

    def batch(number: int, day: date) -> list[dict[str, Any]]:
        base = number * ITEMS
        at = posyandu[number * POSYANDU_PER_REQUEST : (number + 1) * POSYANDU_PER_REQUEST]
        return [survey(base + i, at[i % len(at)], day) for i in range(ITEMS)]

    warm = batch(requests, first_day)[:50]  # not counted: imports, caches, the first COPYs
    await one_pass(client, headers, [warm])
    first = [batch(n, first_day) for n in range(requests)]
    report.note(
        f"{requests} requests of {ITEMS:,} items per pass, {POSYANDU_PER_REQUEST} posyandu each; "
        f"relay {'on, publishing to the broker' if relay else 'off'}"
    )
    timings, cpu, counts = await one_pass(client, headers, first)
    show(report, "first surveys (every household new)", timings, cpu, counts)
    timings, cpu, counts = await one_pass(client, headers, first)
    show(report, "the same batches again (a retry)", timings, cpu, counts)
    later = [batch(n, next_year) for n in range(requests)]
    timings, cpu, counts = await one_pass(client, headers, later)
    show(report, "a year later (known households re-surveyed)", timings, cpu, counts)
    if relay:
        started = time.perf_counter()
        left = await drained(app, deadline=started + 300)
        report.note(
            f"events left in the outbox {time.perf_counter() - started:.1f} s after the last "
            f"request: {left:,}"
        )
    report.summary(f"surveys of {requests * ITEMS:,} households in {ITEMS:,}-item batches")


def show(
    report: Report, label: str, timings: list[float], cpu: float, counts: dict[str, int]
) -> None:
    answered = sum(counts.values())
    rate = answered / sum(timings)
    median = sorted(timings)[len(timings) // 2] * 1000
    report.note(
        f"{label}: {counts['created']:,} created, {counts['recorded']:,} recorded, "
        f"{counts['unchanged']:,} unchanged, {counts['errors']:,} errors; median {median:.0f} ms "
        f"per request; {answered / cpu:,.0f} items per CPU-second of the app's process"
    )
    report.figure(label, rate, "items/s", target=f"≥ {TARGET:,.0f}", met=rate >= TARGET)


async def run(requests: int, with_broker: bool) -> None:
    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    broker: KafkaBroker | None = None
    try:
        broker = start_broker(3) if with_broker else None
        settings = PublicWorksSettings(
            database_url=server.create_database("bench_public_works"),
            kafka_bootstrap_servers=broker.bootstrap_servers if broker else "127.0.0.1:9",
            relay_enabled=broker is not None,
            consumers_enabled=False,
            environment="development",
            log_level="WARNING",
        )
        app = create_app(settings)
        quiet_kafka_logs()
        async with running_app(app) as client:
            await measure(app, client, settings, requests, relay=broker is not None)
    finally:
        if broker is not None:
            broker.close()
        server.stop()


def main() -> None:
    args = parser("A survey team's batches: items per second through the real app.")
    args.add_argument("--requests", type=int, default=None, help="requests per pass (20; quick 4)")
    args.add_argument("--no-broker", action="store_true", help="no Kafka: the relay stays off")
    options = args.parse_args()
    requests = options.requests or (4 if options.quick else 20)
    asyncio.run(run(requests, not options.no_broker))


if __name__ == "__main__":
    main()
