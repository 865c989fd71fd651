"""Bulk upload and indicator benchmark on a real PostgreSQL (started here, removed after).

Seeds a kabupaten's worth of synthetic balita (``devstack.population.generate_balita``) and
their history, then times POST /v1/posyandu/{id}/measurements/bulk with 1,000-item batches
and the stunting/SPM indicator queries for the whole kabupaten. The posyandu replica is
filled through the platform's own event handler (``apply_posyandu_event``); the relay and
consumers are off (outbox rows are still written in each transaction).

    uv run python -m bench.health_upload [--balita 60000] [--bulk-only]
        [--profile profile.txt]   # pyinstrument profile of the second 1,000-item request
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.common import quiet_kafka_logs
from simpul_health.app import create_app
from simpul_health.demo import monthly_measurements
from simpul_health.models import Target
from simpul_health.settings import HealthSettings
from simpul_platform.auth import mint_token
from simpul_platform.devstack.population import DemoChild, generate_balita
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.events import Envelope
from simpul_platform.replica import apply_posyandu_event
from simpul_platform.testing.asgi import running_app

DESA = [f"64.02.{k:02d}.20{d:02d}" for k in range(1, 21) for d in range(1, 13)]


async def main(balita: int, batches: int, bulk_only: bool, profile: str | None) -> None:
    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    try:
        url = server.create_database("bench_health")
        settings = HealthSettings(
            database_url=url,
            relay_enabled=False,
            consumers_enabled=False,
            environment="development",
            log_level="WARNING",
        )
        app = create_app(settings)
        quiet_kafka_logs()  # no broker here: the app's topic creation retries in the background
        async with running_app(app) as client:
            await run(app, client, settings, balita, batches, bulk_only, profile)
    finally:
        server.stop()


async def run(app, client, settings, balita, batches, bulk_only, profile) -> None:  # type: ignore[no-untyped-def]
    posyandu = [(str(uuid.UUID(int=i + 1)), DESA[i % len(DESA)]) for i in range(balita // 75)]
    async with app.state.db.transaction() as session:
        for pid, desa in posyandu:
            data = {
                "posyandu_id": pid,
                "name": "Bench",
                "desa_code": desa,
                "status": "registered",
                "fields": ["health"],
                "version": 1,
            }
            await apply_posyandu_event(
                session,
                Envelope(
                    str(uuid.uuid4()),
                    "registry.posyandu.registered.v1",
                    "/simpul/registry",
                    datetime.now(UTC),
                    data,
                ),
            )
    children = generate_balita(posyandu, per_posyandu=75, secret=settings.pseudonym_secret)
    async with app.state.db.transaction() as session:
        for i in range(0, len(children), 5000):
            await session.execute(
                insert(Target.__table__),  # type: ignore[attr-defined]
                [c.target for c in children[i : i + 5000]],
            )
    headers = {
        "Authorization": f"Bearer {mint_token(settings, 'bench', ['opd:health'], ['64.02'])}"
    }
    rng = random.Random(1)
    month_end = date.today().replace(day=1) - timedelta(days=1)
    by_posyandu: dict[str, list[DemoChild]] = {}
    for child in children:
        by_posyandu.setdefault(child.target["posyandu_id"], []).append(child)
    # Batches of 1,000: ~13 posyandu days of 75 balita, sent as one posyandu's request each
    # (a posyandu day is one request); items for children of neighbouring posyandu included.
    pids = list(by_posyandu)
    timings, cpu, gc_times, created = [], [], [], 0
    _GC.install()
    for b in range(batches):
        group = [c for pid in pids[b * 14 : (b + 1) * 14] for c in by_posyandu[pid]][:1000]
        items = [
            m.model_dump(mode="json")
            for c in group
            if (m := monthly_measurements(c, month_end, rng))
        ]
        url = f"/v1/posyandu/{group[0].target['posyandu_id']}/measurements/bulk"
        profiler = _profiler() if profile and b == 1 else None
        gc_start = _GC.seconds
        start, cpu_start = time.perf_counter(), time.process_time()
        response = await client.post(url, json={"items": items}, headers=headers)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
        gc_times.append(_GC.seconds - gc_start)
        if profiler is not None:
            profiler.stop()
            text = profiler.output_text(unicode=True, show_all=False)
            await asyncio.to_thread(Path(profile).write_text, text)
            profiler.last_session.save(profile + ".pyisession")
            print(f"profile of one {len(items)}-item request written to {profile}")
        assert response.status_code == 200, response.text
        created += response.json()["created"]
    rate = created / sum(timings)
    print(
        f"bulk: {batches} requests, {created} measurements created, "
        f"median {sorted(timings)[len(timings) // 2] * 1000:.0f} ms/request, "
        f"{rate:.0f} measurements/s "
        f"(service CPU: median {sorted(cpu)[len(cpu) // 2] * 1000:.0f} ms/request, "
        f"{created / sum(cpu):.0f} measurements per CPU-second; "
        f"cyclic GC: median {sorted(gc_times)[len(gc_times) // 2] * 1000:.0f} ms/request, "
        f"{sum(gc_times) * 1000:.0f} ms in all, of which full collections "
        f"{_GC.full_count} × {_GC.full_seconds / max(_GC.full_count, 1) * 1000:.0f} ms)"
    )
    if bulk_only:
        return
    # Fill the remaining months in bulk for the indicator timing.
    end = month_end
    for _ in range(1, 12):
        end = end.replace(day=1) - timedelta(days=1)
        for i in range(0, len(pids), 14):
            group = [c for pid in pids[i : i + 14] for c in by_posyandu[pid]][:1000]
            items = [
                m.model_dump(mode="json") for c in group if (m := monthly_measurements(c, end, rng))
            ]
            if items:
                await client.post(
                    f"/v1/posyandu/{group[0].target['posyandu_id']}/measurements/bulk",
                    json={"items": items},
                    headers=headers,
                )
    year = month_end.year
    for path, period in (
        ("stunting", f"{year}"),
        ("stunting", f"{month_end:%Y-%m}"),
        ("spm", f"{year}"),
    ):
        start = time.perf_counter()
        r = await client.get(
            f"/v1/indicators/{path}", params={"period": period, "wilayah": "64.02"}, headers=headers
        )
        elapsed = time.perf_counter() - start
        summary = (
            {k: r.json()[k] for k in ("measured", "stunting_percent")} if path == "stunting" else ""
        )
        print(f"indicator {path} {period} for 64.02: {elapsed * 1000:.0f} ms {summary}")


class _GC:
    """Time spent in the cyclic garbage collector (it runs inside whatever frame allocates,
    so a profile charges it to innocent lines such as ``uuid4``)."""

    seconds = 0.0
    full_seconds = 0.0  # generation 2: every tracked object in the process
    full_count = 0
    _started = 0.0

    @classmethod
    def install(cls) -> None:
        gc.callbacks.append(cls._callback)

    @classmethod
    def _callback(cls, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            cls._started = time.perf_counter()
            return
        elapsed = time.perf_counter() - cls._started
        cls.seconds += elapsed
        if info["generation"] == 2:
            cls.full_seconds += elapsed
            cls.full_count += 1


def _profiler() -> Any:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005, async_mode="enabled")
    profiler.start()
    return profiler


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--balita", type=int, default=60000)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--bulk-only", action="store_true", help="skip the indicator timing")
    parser.add_argument("--profile", help="write a pyinstrument profile of one request here")
    args = parser.parse_args()
    asyncio.run(main(args.balita, args.batches, args.bulk_only, args.profile))
