"""A kader's census through the real education app on a real PostgreSQL (started here, removed
after): POST /v1/census with 1,000-item requests, one posyandu each.

Three passes over the same children: the first census (every child new: registered with a
status), the next year's (every child known: most get a new kelas or jenjang, the rest are
unchanged) and that one sent again (a retry: every item unchanged); each child of school age
newly found out of school gets an ATS case in the same request. Items per second are the
items answered divided by the requests' wall time, beside the target (≥ 3,000 items/s). The
posyandu replica is filled through the platform's own event handler; the relay and consumers
are off (the outbox rows are still written in each request's transaction) and no broker runs
(the app's topic creation retries quietly in the background).

    uv run python -m bench.education_census [--quick] [--requests 20]
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from bench.common import Report, parser, quiet_kafka_logs
from simpul_education.app import create_app
from simpul_education.settings import EducationSettings
from simpul_platform.auth import mint_token
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.events import Envelope
from simpul_platform.replica import apply_posyandu_event
from simpul_platform.testing.asgi import running_app

TARGET = 3000.0  # items per second
ITEMS = 1000
REGION = "640206"  # Tenggarong: the NIK's kecamatan digits
DESA = [f"64.02.06.20{d:02d}" for d in range(1, 13)]
FIRST_BORN = date(2009, 1, 1)
SPAN_DAYS = 5400  # birth dates 2009 – late 2023: everyone born before the first census


@dataclass(frozen=True)
class Kid:
    nik: str
    sex: str
    birth_date: date


def kids(count: int) -> list[Kid]:
    """``count`` children with distinct, valid NIKs (birth date and sex in the digits)."""
    found = []
    for i in range(count):
        born = FIRST_BORN + timedelta(days=i % SPAN_DAYS)
        girl = (i // SPAN_DAYS) % 2 == 1
        serial = i // (2 * SPAN_DAYS) + 1
        day = born.day + 40 * girl
        nik = f"{REGION}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
        found.append(Kid(nik, "P" if girl else "L", born))
    return found


def entry(kid: Kid, on: date) -> dict[str, Any]:
    """A plausible status for the child's age on ``on`` (one in twelve of school age out of
    school)."""
    years = (on - kid.birth_date).days // 365
    if years < 3:
        return {"status": "not_school_age"}
    if years < 7:
        return {"status": "paud", "unit_name": "PAUD Mawar"}
    if (kid.birth_date.toordinal() + int(kid.nik[-4:])) % 12 == 0:
        return {"status": "out_of_school"}  # an ATS case opens for each new one
    kelas = min(years - 6, 12)
    jenjang = "sd" if kelas <= 6 else "smp" if kelas <= 9 else "sma"
    return {"status": jenjang, "kelas": kelas, "unit_name": f"{jenjang.upper()}N 1 Tenggarong"}


def item(kid: Kid, on: date) -> dict[str, Any]:
    return {
        "nik": kid.nik,
        "kk": f"{REGION}0101{kid.nik[-6:]}",
        "name": f"Anak {kid.nik[-6:]}",
        "sex": kid.sex,
        "birth_date": kid.birth_date.isoformat(),
        **entry(kid, on),
    }


async def seed_posyandu(app: FastAPI, count: int) -> list[str]:
    ids = [str(uuid.UUID(int=i + 1)) for i in range(count)]
    async with app.state.db.transaction() as session:
        for i, posyandu_id in enumerate(ids):
            data = {
                "posyandu_id": posyandu_id,
                "name": f"Posyandu {i + 1}",
                "desa_code": DESA[i % len(DESA)],
                "status": "registered",
                "fields": ["education"],
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
    client: httpx.AsyncClient,
    headers: dict[str, str],
    groups: list[tuple[str, list[Kid]]],
    on: date,
) -> tuple[list[float], float, dict[str, int], int]:
    """Every posyandu's census on ``on``: the requests' wall times, this process's CPU seconds
    while they ran (the app's and the client's, not PostgreSQL's), the result counts and the
    ATS cases opened."""
    timings: list[float] = []
    cpu = 0.0
    counts = {"created": 0, "status_recorded": 0, "unchanged": 0, "errors": 0}
    cases = 0
    for posyandu_id, group in groups:
        body = {
            "posyandu_id": posyandu_id,
            "on": on.isoformat(),
            "items": [item(k, on) for k in group],
        }
        start, cpu_start = time.perf_counter(), time.process_time()
        response = await client.post("/v1/census", json=body, headers=headers)
        timings.append(time.perf_counter() - start)
        cpu += time.process_time() - cpu_start
        assert response.status_code == 200, response.text
        answer = response.json()
        for key in counts:
            counts[key] += answer[key]
        cases += answer["ats_cases_opened"]
    return timings, cpu, counts, cases


async def run(requests: int) -> None:
    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    try:
        url = server.create_database("bench_education")
        settings = EducationSettings(
            database_url=url,
            relay_enabled=False,
            consumers_enabled=False,
            environment="development",
            log_level="WARNING",
        )
        app = create_app(settings)
        # No broker here: the app's topic creation retries in the background; its refused
        # connections are not the bench's news.
        quiet_kafka_logs()
        async with running_app(app) as client:
            await measure(app, client, settings, requests)
    finally:
        server.stop()


async def measure(
    app: FastAPI, client: httpx.AsyncClient, settings: EducationSettings, requests: int
) -> None:
    report = Report("education_census")
    token = mint_token(settings, "bench-disdik", ["opd:education"], ["64.02"])
    headers = {"Authorization": f"Bearer {token}"}
    posyandu = await seed_posyandu(app, requests)
    everyone = kids(requests * ITEMS)
    groups = [(p, everyone[i * ITEMS : (i + 1) * ITEMS]) for i, p in enumerate(posyandu)]
    today = date.today()
    warm = (posyandu[0], kids(requests * ITEMS + 50)[-50:])  # not counted: imports, caches
    await one_pass(client, headers, [warm], today - timedelta(days=365))
    passes = [
        ("first census (all new)", today - timedelta(days=365)),
        ("a year later (known children)", today),
        ("the same census again (a retry)", today),
    ]
    report.note(f"{requests} requests of {ITEMS:,} items per pass, one posyandu each")
    for label, on in passes:
        timings, cpu, counts, cases = await one_pass(client, headers, groups, on)
        answered = sum(counts.values())
        rate = answered / sum(timings)
        median = sorted(timings)[len(timings) // 2] * 1000
        report.note(
            f"{label}: {counts['created']:,} created, {counts['status_recorded']:,} "
            f"status recorded, {counts['unchanged']:,} unchanged, {counts['errors']:,} errors, "
            f"{cases:,} ATS cases opened; "
            f"median {median:.0f} ms per request; {answered / cpu:,.0f} items per CPU-second "
            "of the app's process"
        )
        report.figure(f"{label}", rate, "items/s", target=f"≥ {TARGET:,.0f}", met=rate >= TARGET)
    report.summary(f"census of {requests * ITEMS:,} children in {ITEMS:,}-item requests")


def main() -> None:
    args = parser("A kader's census: items per second through the real app.")
    args.add_argument("--requests", type=int, default=None, help="requests per pass (20; quick 4)")
    options = args.parse_args()
    requests = options.requests or (4 if options.quick else 20)
    asyncio.run(run(requests))


if __name__ == "__main__":
    main()
