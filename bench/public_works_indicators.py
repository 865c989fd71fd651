"""Public works' indicators at Kutai Kartanegara's size: ``/v1/indicators?wilayah=64.02`` for
a year and a month, through the real app, cold and warm.

Starts a temporary PostgreSQL, migrates public works' schema (Alembic, as the service does)
and COPY-loads, with a seeded generator (``bench.public_works_data``): the demo population's
827 Kukar posyandu in the posyandu replica; 180,000 households over them, each surveyed (a
fifth twice), the ladders derived by the service's own rules; households known from other
fields; infrastructure issues in every state.

Then, with the app in this process (``create_app``, relay and consumers off, no broker) called
over httpx's ASGI transport as a DPMD user of 64.02, for the year (counted at the current
month's end) and the last full month (counted at its end: a household surveyed since is
counted by its survey then):

- **cold**: the first read after every kept count was dropped
  (``DELETE FROM public_works_tally``): the whole kabupaten counted again, ``--cold`` times;
- **after one write**: one posyandu's counts dropped (what a survey does), then a
  read, ``--runs`` times (a different posyandu each time);
- **warm**: the counts all kept, ``--runs`` times.

p50/p95/p99 of each, beside the target (p99 ≤ 50 ms for the warm and after-one-write reads);
also ``/v1/summary/by-desa`` for the month. ``--quick``: 40 posyandu, 8,000 households.

    uv run python -m bench.public_works_indicators [--quick] [--households 180000] [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import time
from datetime import timedelta
from typing import Any

import asyncpg

from bench.common import Report, quiet_kafka_logs
from bench.education_indicators import show, timed
from bench.public_works_data import load, tables
from simpul_platform.auth import mint_token
from simpul_platform.clock import local_today
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.migrations import upgrade
from simpul_platform.testing.asgi import running_app
from simpul_public_works.app import MIGRATIONS, create_app
from simpul_public_works.settings import PublicWorksSettings

KUKAR = "64.02"


async def measure(url: str, args: argparse.Namespace, places: list[str], report: Report) -> None:
    settings = PublicWorksSettings(
        environment="development",
        database_url=url,
        relay_enabled=False,
        consumers_enabled=False,
        database_pool_size=5,
        log_level="WARNING",
    )
    today = local_today(settings)
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    token = mint_token(settings, "bench-dpmd", ["dpmd"], [KUKAR])
    headers = {"Authorization": f"Bearer {token}"}
    admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    app = create_app(settings)
    quiet_kafka_logs()  # no broker here: the app's topic creation retries in the background
    async with running_app(app) as client:
        for noisy in ("simpul.access", "httpx"):  # a line per request would drown the figures
            logging.getLogger(noisy).setLevel(logging.WARNING)

        async def nothing(_: int) -> None:
            return None

        for period in (str(today.year), last_month):
            params = {"wilayah": KUKAR, "period": period}

            async def call(params: dict[str, str] = params) -> Any:
                response = await client.get("/v1/indicators", params=params, headers=headers)
                assert response.status_code == 200, response.text
                return response.json()

            async def drop_all(_: int) -> None:
                await admin.execute("DELETE FROM public_works_tally")

            async def drop_one(n: int) -> None:
                await admin.execute(
                    "DELETE FROM public_works_tally WHERE posyandu_id = $1", places[n % len(places)]
                )

            cold, answer = await timed(args.cold, drop_all, call)
            show(report, f"{period} cold (all {len(places)} posyandu counted)", cold, False)
            one, _ = await timed(args.runs, drop_one, call)
            show(report, f"{period} after one posyandu's write", one, True)
            warm, again = await timed(args.runs, nothing, call)
            show(report, f"{period} warm", warm, True)
            assert again == answer, "a warm answer differs from the cold one"
            brief = ", ".join(
                f"{v['code'].split('.')[-1]} {v['numerator']:,}/{v['denominator']:,}"
                for v in answer
            )
            report.note(f"{period}: {brief}")

        async def by_desa() -> Any:
            params = {"wilayah": KUKAR, "period": last_month}
            response = await client.get("/v1/summary/by-desa", params=params, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()

        rows, desa = await timed(args.runs, nothing, by_desa)
        show(report, f"{last_month} /v1/summary/by-desa warm ({len(desa)} desa)", rows, False)
    await admin.close()


async def main(args: argparse.Namespace) -> None:
    report = Report("public_works_indicators")
    posyandu, households = (40, 8_000) if args.quick else (827, args.households)
    issues = households // 36
    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    try:
        url = server.create_database("bench_public_works_indicators")
        started = time.perf_counter()
        today = local_today(PublicWorksSettings(environment="development"))
        data = await asyncio.to_thread(tables, posyandu, households, issues, today)
        await upgrade(MIGRATIONS, url)
        await load(url, data)
        print(f"schema and data ready in {time.perf_counter() - started:.0f} s", flush=True)
        places = [row[0] for row in data["posyandu_replica"][1]]
        random.Random(7).shuffle(places)
        await measure(url, args, places, report)
    finally:
        server.stop()
    report.summary(f"{households:,} households on {posyandu} posyandu")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 posyandu, 8,000 households")
    parser.add_argument("--households", type=int, default=180_000)
    parser.add_argument("--runs", type=int, default=200, help="warm and after-one-write reads")
    parser.add_argument("--cold", type=int, default=5, help="reads after dropping every count")
    asyncio.run(main(parser.parse_args()))
