"""A survey team's batches through the real housing app on a real PostgreSQL and Kafka (both
started here, removed after): POST /v1/survey-batches with 1,000 house surveys a request,
each classified under Permen PUPR 29/2018 and Permensos 20/2017.

Three passes over the same houses: the first surveys (every house new: the house, its
household by No. KK and its survey), those batches sent again (a retry: every house known
again by its KK, every survey unchanged) and a re-survey a year later (every house by its id,
most surveys changed). Items per second are the items answered divided by the requests' wall
time, beside the target (≥ 2,000 items/s). The posyandu replica is filled through the
platform's own event handler; the relay runs in the app's process and publishes the
``housing.house.assessed.v1`` events to the broker while the batches are sent (``--no-broker``:
relay off and no broker, the outbox rows still written in each request's transaction).

    uv run python -m bench.housing_survey [--quick] [--requests 20] [--no-broker]
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
from simpul_housing.app import create_app
from simpul_housing.settings import HousingSettings
from simpul_platform.auth import mint_token
from simpul_platform.devstack.kafka import KafkaBroker
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.events import Envelope
from simpul_platform.outbox import outbox_table
from simpul_platform.replica import apply_posyandu_event
from simpul_platform.testing.asgi import running_app

TARGET = 2000.0  # items per second
ITEMS = 1000
POSYANDU_PER_REQUEST = 4  # a team's batch covers a few posyandu of one desa
DESA = [f"64.02.06.20{d:02d}" for d in range(1, 13)]
GROUND = ("sumur_bor", "sumur_terlindung", "sumur_tidak_terlindung", "mata_air_terlindung")
OTHER_SOURCES = ("perpipaan", "kemasan", "air_hujan")


def survey(house: int, on: date) -> dict[str, Any]:
    """A plausible survey of house ``house`` on ``on``: about half RTLH under each rule set,
    different (seeded by the date) from one year to the next."""
    rnd = random.Random(house * 7919 + on.year)
    water = rnd.choice(GROUND + OTHER_SOURCES)
    bathroom = rnd.choice(("sendiri", "sendiri", "bersama", "tidak_ada"))
    return {
        "kind": "initial",
        "surveyed_on": on.isoformat(),
        "pondasi": rnd.choice(("batu_belah", "bata", "batako", "tidak_ada")),
        "kolom": rnd.choice(("beton", "kayu", "kayu", "bambu")),
        "balok": rnd.choice(("beton", "kayu", "kayu")),
        "rangka_atap": rnd.choice(("baja_ringan", "kayu", "bambu")),
        "plafon": rnd.choice(("gypsum", "triplek", "tidak_ada")),
        "sloof": rnd.random() < 0.6,
        "atap": rnd.choice(("genteng", "seng", "seng", "asbes", "rumbia")),
        "atap_condition": rnd.choice(("layak", "menuju_layak", "agak_layak", "kurang_layak")),
        "dinding": rnd.choice(("tembok", "kayu", "kayu", "bambu")),
        "dinding_condition": rnd.choice(("layak", "agak_layak", "kurang_layak")),
        "lantai": rnd.choice(("keramik", "plester", "kayu", "tanah")),
        "lantai_condition": rnd.choice(("layak", "agak_layak", "tidak_layak")),
        "jendela": rnd.random() < 0.8,
        "ventilasi": rnd.random() < 0.7,
        "floor_area_m2": float(rnd.choice((21, 28, 36, 45, 54, 72))),
        "occupants": rnd.randint(2, 7),
        "water_source": water,
        "water_to_faeces_m": float(rnd.randint(3, 20)) if water in GROUND else None,
        "bathroom": bathroom,
        "toilet_type": "tidak_ada"
        if bathroom == "tidak_ada"
        else rnd.choice(("leher_angsa", "leher_angsa", "cemplung_cubluk")),
        "faeces_disposal": rnd.choice(
            ("tangki_septik", "lubang_tanah", "kolam_sawah_sungai_danau_laut")
        ),
        "electricity": rnd.choice(("pln_meteran", "pln_tanpa_meteran", "non_pln")),
        "kawasan": ["stunting"] if rnd.random() < 0.2 else [],
    }


def new_house(house: int, posyandu_id: str, on: date) -> dict[str, Any]:
    return {
        "house": {
            "posyandu_id": posyandu_id,
            "rt": f"{house % 12 + 1:03d}",
            "rw": f"{house % 4 + 1:03d}",
            "tenure": "milik_sendiri",
            "land_status": "milik_sendiri",
            "occupants": 4,
            "households": [{"kk": f"6402{house:012d}", "head_name": f"KK {house}"}],
        },
        "survey": survey(house, on),
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
                "fields": ["housing"],
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
) -> tuple[list[float], float, dict[str, int], list[list[str | None]]]:
    """Every batch once: the requests' wall times, this process's CPU seconds while they ran
    (the app's, the relay's and the client's, not PostgreSQL's), the result counts and each
    item's house id."""
    timings: list[float] = []
    cpu = 0.0
    counts = {"created": 0, "assessed": 0, "unchanged": 0, "errors": 0}
    houses: list[list[str | None]] = []
    for items in batches:
        start, cpu_start = time.perf_counter(), time.process_time()
        response = await client.post("/v1/survey-batches", json={"items": items}, headers=headers)
        timings.append(time.perf_counter() - start)
        cpu += time.process_time() - cpu_start
        assert response.status_code == 200, response.text
        answer = response.json()
        for key in counts:
            counts[key] += answer[key]
        houses.append([r["house_id"] for r in answer["results"]])
    return timings, cpu, counts, houses


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
    app: FastAPI, client: httpx.AsyncClient, settings: HousingSettings, requests: int, relay: bool
) -> None:
    report = Report("housing_survey")
    token = mint_token(settings, "bench-perkim", ["opd:housing"], ["64.02"])
    headers = {"Authorization": f"Bearer {token}"}
    posyandu = await seed_posyandu(app, (requests + 1) * POSYANDU_PER_REQUEST)
    today = date.today()
    first_day, next_year = today - timedelta(days=365), today

    def batch(number: int) -> list[dict[str, Any]]:
        base = number * ITEMS
        at = posyandu[number * POSYANDU_PER_REQUEST : (number + 1) * POSYANDU_PER_REQUEST]
        return [new_house(base + i, at[i % len(at)], first_day) for i in range(ITEMS)]

    warm = batch(requests)[:50]  # not counted: imports, caches, the first COPYs
    await one_pass(client, headers, [warm])
    first = [batch(n) for n in range(requests)]
    report.note(
        f"{requests} requests of {ITEMS:,} items per pass, {POSYANDU_PER_REQUEST} posyandu each; "
        f"relay {'on, publishing to the broker' if relay else 'off'}"
    )
    timings, cpu, counts, houses = await one_pass(client, headers, first)
    show(report, "first surveys (every house new)", timings, cpu, counts)
    timings, cpu, counts, _ = await one_pass(client, headers, first)
    show(report, "the same batches again (a retry)", timings, cpu, counts)
    resurvey = [
        [
            {"house_id": house_id, "survey": survey(n * ITEMS + i, next_year)}
            for i, house_id in enumerate(ids)
        ]
        for n, ids in enumerate(houses)
    ]
    timings, cpu, counts, _ = await one_pass(client, headers, resurvey)
    show(report, "a year later (known houses re-surveyed)", timings, cpu, counts)
    if relay:
        started = time.perf_counter()
        left = await drained(app, deadline=started + 300)
        report.note(
            f"events left in the outbox {time.perf_counter() - started:.1f} s after the last "
            f"request: {left:,}"
        )
    report.summary(f"surveys of {requests * ITEMS:,} houses in {ITEMS:,}-item batches")


def show(
    report: Report, label: str, timings: list[float], cpu: float, counts: dict[str, int]
) -> None:
    answered = sum(counts.values())
    rate = answered / sum(timings)
    median = sorted(timings)[len(timings) // 2] * 1000
    report.note(
        f"{label}: {counts['created']:,} created, {counts['assessed']:,} assessed, "
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
        settings = HousingSettings(
            database_url=server.create_database("bench_housing"),
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
