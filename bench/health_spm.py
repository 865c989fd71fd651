"""Health's twelve SPM services at Kutai Kartanegara's size: ``/v1/indicators?wilayah=64.02``
(the kabupaten scorecard's call), ``/v1/indicators/spm`` and ``/v1/indicators/immunisation``
for the year and the last full month through the real app, and the writes that recount.

Starts a temporary PostgreSQL, migrates health's schema (Alembic, as the service does) and
COPY-loads, with a seeded generator (``bench.health_spm_data``): the demo population's 827
Kukar posyandu in the posyandu replica, 60,000 balita with a measurement a month and an
immunisation history each, adults with screenings, 12,000 deliveries of the year with their
newborns and neonatal visits, 60,000 school-age children (education's) with about 40,000
school screenings, 800 ODGJ berat cases with monthly services, 6,000 TB presumptives and
10,000 people at risk of HIV. Then it counts what the write path keeps, as a bulk load must
(``kept.rebuild``, ``balita_weighed.rebuild``, ``latest_haz.rebuild``), timed. The counts over
people kept per posyandu and month (``health_tally``) start empty: the first read of a month
counts them (in the cold figures).

With the app in this process (``create_app``, relay and consumers off, no broker) called over
httpx's ASGI transport as a DPMD user of 64.02, for the year and the last full month:

- **cold**: the first call of each route in a new app (its pool, its prepared statements),
  ``--cold`` times (PostgreSQL's own cache stays warm);
- **warm**: ``--runs`` calls of each; the answers' digest printed (equal digests, equal
  answers: compare runs before and after a change);
- **after one write**: a delivery (``POST /v1/pregnancies/{id}/delivery``) or a school
  screening (``POST /v1/school-screenings``) on the month's last day by a Dinas Kesehatan
  user, each recounting its posyandu's kept counts, then ``/v1/indicators``; ``--runs`` times,
  the two writes in turn, each write timed too.

p50/p95/p99 beside the targets: ``/v1/indicators`` p99 ≤ 300 ms (the kabupaten scorecard's
health part), a write that recounts p99 ≤ 100 ms. ``--quick``: 40 posyandu, 3,000 balita.

``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of each statement ``/v1/indicators`` runs.

    uv run python -m bench.health_spm [--quick] [--balita 60000] [--runs 60] [--cold 3]
        [--explain]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg

from bench.bulk_load import Tables
from bench.common import Report, dsn
from bench.health_indicators import explaining
from bench.health_spm_data import tables, window
from bench.indicator_timing import (
    KUKAR,
    IndicatorBench,
    Measure,
    Reads,
    loaded_database,
    nothing,
    read_settings,
    reading,
    show_times,
    time_calls,
)
from simpul_health.app import MIGRATIONS, create_app
from simpul_health.domain.immunisation import NATIONAL_SCHEDULE
from simpul_health.ops import balita_weighed, kept, latest_haz
from simpul_health.ops.coverage import coverage
from simpul_health.ops.indicators import Area, spm_counts, stunting_counts
from simpul_health.settings import HealthSettings
from simpul_platform.auth import mint_token
from simpul_platform.db import Database
from simpul_platform.indicators import Period

READ_TARGET_MS, WRITE_TARGET_MS = 300.0, 100.0
ROUTES = ("/v1/indicators", "/v1/indicators/spm", "/v1/indicators/immunisation")


def _indicators(answer: Any) -> list[dict[str, Any]]:
    return list(answer if isinstance(answer, list) else answer["indicators"])


def brief(answer: Any) -> str:
    """Every indicator of an answer as ``code numerator/denominator``, for the log."""
    return ", ".join(
        f"{v['code'].split('.')[-1]} {v['numerator']:,}/{v['denominator']:,}"
        for v in _indicators(answer)
    )


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


async def rebuild(url: str, report: Report, today: date) -> None:
    """What the write path keeps, counted as after a bulk load: every kept SPM code for each
    month of the data (and so its quarters and year), and the balita weighed."""
    first, last = window(today)
    days = [first.replace(month=m) for m in range(1, last.month + 1)]
    started = time.perf_counter()
    db = Database(url, 1)
    try:
        async with db.transaction() as session:
            await kept.rebuild(session, days)
    finally:
        await db.dispose()
    await balita_weighed.rebuild_database(url)
    await latest_haz.rebuild_database(url)
    connection = await asyncpg.connect(dsn(url))
    try:
        await connection.execute("VACUUM ANALYZE")
        kept_rows = await connection.fetchval("SELECT count(*) FROM spm_kept")
    finally:
        await connection.close()
    seconds = time.perf_counter() - started
    report.note(
        f"kept, balita_weighed and latest_haz rebuilt: {seconds:.1f} s ({kept_rows:,} kept rows)"
    )


async def explain(url: str, periods: tuple[str, str]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement ``/v1/indicators`` runs for Kukar."""
    db = Database(url, 1)
    area = Area(wilayah=KUKAR)
    try:
        for label in periods:
            period = Period.parse(label)
            for name in ("spm_counts", "stunting_counts", "coverage"):
                print(f"EXPLAIN {name} {label}:", flush=True)
                async with db.transaction() as session:
                    explaining(session)
                    if name == "spm_counts":
                        await spm_counts(session, area, period)
                    elif name == "stunting_counts":
                        await stunting_counts(session, area, period)
                    else:
                        await coverage(session, area, period, NATIONAL_SCHEDULE)
    finally:
        await db.dispose()


# --------------------------------------------------------------------------- the writes


@dataclass
class Writes:
    """What the benchmark writes: deliveries of the ongoing pregnancies and screenings of
    school-age children not screened this school year, on the last full month's last day."""

    headers: dict[str, str]
    on: date
    pregnancies: list[str]
    children: list[tuple[str, date]]

    @classmethod
    async def find(cls, reads: Reads, settings: HealthSettings, on: date) -> Writes:
        token = mint_token(settings, "bench-dinkes", ["opd:health"], [KUKAR])
        pregnancies = await reads.admin.fetch(
            "SELECT id FROM pregnancies WHERE status = 'ongoing' ORDER BY id"
        )
        school_year = date(on.year if on.month >= 7 else on.year - 1, 7, 1)
        children = await reads.admin.fetch(
            "SELECT t.id, t.birth_date FROM targets t"
            " JOIN school_age_children c ON c.person_ref = t.person_ref"
            " WHERE t.birth_date BETWEEN $2 AND $3 AND NOT EXISTS (SELECT 1 FROM"
            " school_screenings s WHERE s.target_id = t.id AND s.screened_on >= $1)"
            " ORDER BY t.id LIMIT 2000",
            school_year,
            on.replace(year=on.year - 15) + timedelta(days=1),
            on.replace(year=on.year - 7),
        )
        return cls(
            {"Authorization": f"Bearer {token}"},
            on,
            [r["id"] for r in pregnancies],
            [(r["id"], r["birth_date"]) for r in children],
        )

    async def delivery(self, reads: Reads) -> None:
        body = {
            "delivered_on": self.on.isoformat(),
            "outcome": "live_birth",
            "birth_weight_kg": 3.1,
            "delivery_place": "puskesmas",
            "delivery_attendants": ["midwife"],
        }
        path = f"/v1/pregnancies/{self.pregnancies.pop()}/delivery"
        response = await reads.client.post(path, json=body, headers=self.headers)
        assert response.status_code == 200, response.text

    async def screening(self, reads: Reads) -> None:
        target_id, birth = self.children.pop()
        kelas = min(9, max(1, (self.on - birth).days // 365 - 6))
        body = {
            "target_id": target_id,
            "screened_on": self.on.isoformat(),
            "jenjang": "sd" if kelas <= 6 else "smp",
            "kelas": kelas,
            "weight_kg": 25.0,
            "height_cm": 125.0,
            "vision": "normal",
            "hearing": "normal",
            "dental": "healthy",
        }
        response = await reads.client.post("/v1/school-screenings", json=body, headers=self.headers)
        assert response.status_code == 201, response.text


# --------------------------------------------------------------------------- the run


def _periods(reads: Reads) -> tuple[str, str]:
    return str(reads.today.year), reads.last_month


async def cold(settings: HealthSettings, report: Report, times: int) -> None:
    """The first call of each route and period in a new app, ``times`` times."""
    found: dict[tuple[str, str], list[float]] = {}
    for _ in range(times):
        async with reading(settings, create_app) as reads:
            for period in _periods(reads):
                for path in ROUTES:

                    async def call(path: str = path, period: str = period) -> Any:
                        return await reads.get(path, period)

                    durations, _ = await time_calls(1, nothing, call)
                    found.setdefault((path, period), []).extend(durations)
    for (path, period), durations in found.items():
        show_times(report, f"{path} {period} cold (a new app)", durations, False)


async def warm(reads: Reads, report: Report, runs: int) -> None:
    """``runs`` calls of each route and period; the answers' digest and a digest line each."""
    digest = hashlib.sha256()
    for period in _periods(reads):
        for path in ROUTES:

            async def call(path: str = path, period: str = period) -> Any:
                return await reads.get(path, period)

            first = await call()
            durations, answer = await time_calls(runs, nothing, call)
            assert answer == first, f"{path} {period}: a warm answer differs from the first"
            target = path == "/v1/indicators"
            show_times(report, f"{path} {period} warm", durations, target, READ_TARGET_MS)
            digest.update(json.dumps([path, period, answer], sort_keys=True).encode())
            report.note(f"{path} {period}: {brief(answer)}")
    print(f"results digest: {digest.hexdigest()[:16]}", flush=True)


async def after_writes(reads: Reads, report: Report, writes: Writes, runs: int) -> None:
    """A write (a delivery and a school screening in turn), then ``/v1/indicators``."""
    timed: dict[str, list[float]] = {"delivery": [], "school screening": []}
    for period in _periods(reads):

        async def write(n: int) -> None:
            kind, do = (
                ("delivery", writes.delivery)
                if n % 2 == 0
                else ("school screening", writes.screening)
            )
            start = time.perf_counter()
            await do(reads)
            timed[kind].append((time.perf_counter() - start) * 1000)

        async def call(period: str = period) -> Any:
            return await reads.get("/v1/indicators", period)

        durations, _ = await time_calls(runs, write, call)
        label = f"/v1/indicators {period} after one write"
        show_times(report, label, durations, True, READ_TARGET_MS)
    for kind, durations in timed.items():
        path = (
            "POST /v1/pregnancies/{id}/delivery"
            if kind == "delivery"
            else "POST /v1/school-screenings"
        )
        show_times(report, f"{path} (recounts)", durations, True, WRITE_TARGET_MS)


@dataclass(frozen=True)
class SpmBench(IndicatorBench[HealthSettings]):
    """Health's run: the kept counts rebuilt after the load; cold reads in new apps, then
    warm reads and the writes in one."""

    async def run(
        self,
        args: argparse.Namespace,
        build: Callable[[], Tables],
        summary: str,
        measure: Measure | None = None,
    ) -> None:
        report = Report(self.name)
        report.note(f"{os.cpu_count()} cores, {load_average()} at the start")
        async with loaded_database(f"bench_{self.name}", self.migrations, build) as (url, _):
            await rebuild(url, report, self.today())
            settings = read_settings(HealthSettings, url)
            await cold(settings, report, args.cold)
            async with reading(settings, create_app) as reads:
                if args.explain:
                    await explain(url, _periods(reads))
                await warm(reads, report, args.runs)
                writes = await Writes.find(reads, settings, window(reads.today)[1])
                needed = (args.runs + 1) // 2 * 2  # each period: a delivery, a screening, …
                if min(len(writes.pregnancies), len(writes.children)) < needed:
                    raise SystemExit(f"too few records to write for --runs {args.runs}")
                await after_writes(reads, report, writes, args.runs)
        report.note(f"{load_average()} at the end")
        report.summary(summary)


BENCH = SpmBench(
    "health_spm",
    HealthSettings,
    create_app,
    MIGRATIONS,
    tally="spm_kept",
    noun="balita",
    quick=(40, 3_000),
    full=60_000,
)


def build(posyandu: int, balita: int, _: argparse.Namespace) -> Tables:
    return tables(posyandu, balita, BENCH.today())


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--explain", action="store_true", help="print each statement's plan")


if __name__ == "__main__":
    BENCH.main(__doc__, build, options=options)
