"""Timing a field's indicator reads through its real app at Kutai Kartanegara's size: a
temporary PostgreSQL with the field's schema and COPY-loaded rows, the app in this process
(relay and consumers off, no broker) called over ASGI as a DPMD user of 64.02, and the
cold / after-one-write / warm loops over the field's kept counts, each read's p50/p95/p99
printed beside the target (p99 ≤ 50 ms for the warm and after-one-write reads).

A field's benchmark keeps only its data, its tally table and what it notes about the answers.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any, Generic, TypeVar

import asyncpg
import httpx
from fastapi import FastAPI

from bench.bulk_load import Tables, copy_tables
from bench.common import Report, dsn, percentile, quiet_kafka_logs
from simpul_platform.auth import mint_token
from simpul_platform.clock import local_today
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.migrations import upgrade
from simpul_platform.settings import ServiceSettings
from simpul_platform.testing.asgi import running_app

KUKAR = "64.02"
TARGET_MS = 50.0

S = TypeVar("S", bound=ServiceSettings)
Indicator = dict[str, Any]


# --------------------------------------------------------------------------- timing


async def nothing(_: int) -> None:
    return None


async def time_calls(
    runs: int, before: Callable[[int], Awaitable[None]], call: Callable[[], Awaitable[Any]]
) -> tuple[list[float], Any]:
    """``runs`` calls, each after ``before(n)`` (untimed): durations in ms, the last answer."""
    durations, answer = [], None
    for n in range(runs):
        await before(n)
        start = time.perf_counter()
        answer = await call()
        durations.append((time.perf_counter() - start) * 1000)
    return durations, answer


def show_times(
    report: Report, label: str, durations: list[float], target: bool, target_ms: float = TARGET_MS
) -> None:
    """p50, p95 and p99 of ``durations``; the p99 beside the target (p99 ≤ ``target_ms``)
    where ``target``."""
    figures = {p: percentile(durations, p) for p in (50, 95, 99)}
    for p, value in figures.items():
        met = value <= target_ms if target and p == 99 else None
        report.figure(
            f"{label} p{p} (n={len(durations)})",
            value,
            "ms",
            target=f"p99 ≤ {target_ms:.0f} ms" if met is not None else None,
            met=met,
        )


def brief(answer: list[Indicator]) -> str:
    """Every indicator of an answer as ``code numerator/denominator``, for the log."""
    return ", ".join(
        f"{v['code'].split('.')[-1]} {v['numerator']:,}/{v['denominator']:,}" for v in answer
    )


# --------------------------------------------------------------------------- the database


@asynccontextmanager
async def loaded_database(
    name: str, migrations: Any, build: Callable[[], Tables]
) -> AsyncIterator[tuple[str, list[str]]]:
    """A temporary PostgreSQL with database ``name`` migrated and ``build()``'s rows loaded:
    its URL and the posyandu ids in a seeded random order (the after-one-write posyandu)."""
    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    try:
        url = server.create_database(name)
        started = time.perf_counter()
        data = await asyncio.to_thread(build)
        await upgrade(migrations, url)
        await copy_tables(url, data)
        print(f"schema and data ready in {time.perf_counter() - started:.0f} s", flush=True)
        places = [row[0] for row in data["posyandu_replica"][1]]
        random.Random(7).shuffle(places)
        yield url, places
    finally:
        server.stop()


def read_settings(settings_type: type[S], url: str) -> S:
    """The app's settings for reads alone: relay and consumers off, a small pool."""
    return settings_type(
        environment="development",
        database_url=url,
        relay_enabled=False,
        consumers_enabled=False,
        database_pool_size=5,
        log_level="WARNING",
    )


# --------------------------------------------------------------------------- the reads


@dataclass
class Reads:
    """The app under test, a DPMD user's headers for Kukar and an admin connection to its
    database (to drop kept counts between reads)."""

    app: FastAPI
    client: httpx.AsyncClient
    admin: asyncpg.Connection
    headers: dict[str, str]
    today: date

    @property
    def last_month(self) -> str:
        return (self.today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")

    async def get(self, path: str, period: str) -> Any:
        params = {"wilayah": KUKAR, "period": period}
        response = await self.client.get(path, params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def indicators(
        self,
        report: Report,
        *,
        tally: str,
        places: list[str],
        runs: int,
        cold: int,
        brief: Callable[[list[Indicator]], str] = brief,
    ) -> None:
        """For the year and the last full month: cold (every count in ``tally`` dropped),
        after one posyandu's write (its counts dropped), warm; the warm answer checked
        against the cold one."""
        for period in (str(self.today.year), self.last_month):

            async def call(period: str = period) -> Any:
                return await self.get("/v1/indicators", period)

            async def drop_all(_: int) -> None:
                await self.admin.execute(f"DELETE FROM {tally}")

            async def drop_one(n: int) -> None:
                await self.admin.execute(
                    f"DELETE FROM {tally} WHERE posyandu_id = $1", places[n % len(places)]
                )

            cold_ms, answer = await time_calls(cold, drop_all, call)
            show_times(
                report, f"{period} cold (all {len(places)} posyandu counted)", cold_ms, False
            )
            one, _ = await time_calls(runs, drop_one, call)
            show_times(report, f"{period} after one posyandu's write", one, True)
            warm, again = await time_calls(runs, nothing, call)
            show_times(report, f"{period} warm", warm, True)
            assert again == answer, "a warm answer differs from the cold one"
            report.note(f"{period}: {brief(answer)}")

    async def by_desa(self, report: Report, runs: int) -> list[dict[str, Any]]:
        """``/v1/summary/by-desa`` for the last full month, warm: the last answer."""

        async def call() -> Any:
            return await self.get("/v1/summary/by-desa", self.last_month)

        durations, desa = await time_calls(runs, nothing, call)
        label = f"{self.last_month} /v1/summary/by-desa warm ({len(desa)} desa)"
        show_times(report, label, durations, False)
        return list(desa)


@asynccontextmanager
async def reading(settings: S, create_app: Callable[[S], FastAPI]) -> AsyncIterator[Reads]:
    """The app running in this process on ``settings`` (see ``read_settings``)."""
    headers = {"Authorization": f"Bearer {mint_token(settings, 'bench-dpmd', ['dpmd'], [KUKAR])}"}
    admin = await asyncpg.connect(dsn(settings.database_url))
    try:
        app = create_app(settings)
        # No broker here: the app's topic creation retries in the background; its refused
        # connections are not the bench's news.
        quiet_kafka_logs()
        async with running_app(app) as client:
            for noisy in ("simpul.access", "httpx"):  # a line per request would drown the figures
                logging.getLogger(noisy).setLevel(logging.WARNING)
            yield Reads(app, client, admin, headers, local_today(settings))
    finally:
        await admin.close()


# --------------------------------------------------------------------------- a field's run

Measure = Callable[[Reads, Report, list[str], argparse.Namespace], Awaitable[None]]
# (posyandu, how many of the field's records, the command's options) → the rows to load
Build = Callable[[int, int, argparse.Namespace], Tables]
KUKAR_POSYANDU = 827


@dataclass(frozen=True)
class IndicatorBench(Generic[S]):
    """A field's indicator benchmark: its app, its schema, the table of its kept counts and
    its sizes (``--quick``'s posyandu and records, and the full run's records on Kukar's 827
    posyandu)."""

    name: str  # the benchmark's, as printed; its database is bench_<name>
    settings_type: type[S]
    create_app: Callable[[S], FastAPI]
    migrations: Any
    tally: str
    noun: str  # what the field's records are, as printed and as the size option: --<noun> N
    quick: tuple[int, int]
    full: int

    def main(
        self,
        doc: str,
        build: Build,
        measure: Measure | None = None,
        options: Callable[[argparse.ArgumentParser], None] | None = None,
    ) -> None:
        """The command: ``--quick``, ``--<noun> N``, ``--runs``, ``--cold`` and the field's own
        ``options``; then ``run``."""
        parser = argparse.ArgumentParser(description=doc.splitlines()[0])
        posyandu, count = self.quick
        quick = f"{posyandu} posyandu, {count:,} {self.noun}"
        parser.add_argument("--quick", action="store_true", help=quick)
        parser.add_argument(f"--{self.noun}", type=int, default=self.full)
        parser.add_argument("--runs", type=int, default=200, help="warm and after-one-write reads")
        parser.add_argument("--cold", type=int, default=5, help="reads after dropping every count")
        if options is not None:
            options(parser)
        args = parser.parse_args()
        if not args.quick:
            posyandu, count = KUKAR_POSYANDU, getattr(args, self.noun)
        summary = f"{count:,} {self.noun} on {posyandu} posyandu"
        asyncio.run(self.run(args, partial(build, posyandu, count, args), summary, measure))

    async def run(
        self,
        args: argparse.Namespace,
        build: Callable[[], Tables],
        summary: str,
        measure: Measure | None = None,
    ) -> None:
        """Load ``build()``'s rows, then ``measure`` (by default the indicators' loops and
        the by-desa summary) on the app; ``summary`` says what was measured on."""
        report = Report(self.name)
        async with loaded_database(f"bench_{self.name}", self.migrations, build) as (url, places):
            settings = read_settings(self.settings_type, url)
            async with reading(settings, self.create_app) as reads:
                await (measure or self.measure)(reads, report, places, args)
        report.summary(summary)

    async def measure(
        self, reads: Reads, report: Report, places: list[str], args: argparse.Namespace
    ) -> None:
        await reads.indicators(
            report, tally=self.tally, places=places, runs=args.runs, cold=args.cold
        )
        await reads.by_desa(report, args.runs)

    def today(self) -> date:
        """Today where the field's service counts (its settings' time zone)."""
        return local_today(self.settings_type(environment="development"))
