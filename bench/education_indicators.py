"""Education's indicators at Kutai Kartanegara's size: ``/v1/indicators?wilayah=64.02`` for a
year and a month, through the real app, cold and warm.

Starts a temporary PostgreSQL, migrates education's schema (Alembic, as the service does) and
COPY-loads, with a seeded generator: the demo population's 827 Kukar posyandu
(``devstack.population.generate_kukar``: real desa codes) in the posyandu replica; 220,000
children 0–18 (birth dates spread evenly over 19 years, one to three per No. KK) spread over
them; a year of statuses (each child one to three, dated in the twelve months before today,
by age: not_school_age / PAUD / SD / SMP / SMA-SMK, some out of school or in Paket A/B/C; the
child's current status the last of them, as ``record_status`` keeps it); about 10,000 ATS
cases (one child in 22, aged 7–18, one case each: detected in the last year, then classified,
verified, referred, enrolled, closed as not eligible or residu, or waiting, each step with the
fields and history row ``ops.ats`` writes; the child's statuses those the case implies: the
last schooling before it, ``out_of_school`` from its detection, the school or Paket from its
enrolment); and a DTSEN decile for four households in five (``household_decile``, as social's
events would leave it). The generator and the loader are ``bench.education_data``'s.

Then, with the app in this process (``create_app``, relay and consumers off, no broker: its
topic creation retries quietly) called over httpx's ASGI transport as a DPMD user of 64.02,
for the year (counted at the current month's end) and the last full month (counted at its
end: statuses after it are looked up in the history; the two ATS indicators read
``ats_case`` on every request):

- **cold**: the first read after every kept count was dropped (``DELETE FROM education_tally``):
  the whole kabupaten counted again, ``--cold`` times;
- **after one write**: one posyandu's counts dropped (what a status write does), then a read,
  ``--runs`` times (a different posyandu each time);
- **warm**: the counts all kept, ``--runs`` times.

p50/p95/p99 of each, beside the target (p99 ≤ 50 ms for the warm and after-one-write reads);
also ``/v1/summary/by-desa`` for the month (with open ATS cases per desa) and the ATS part
alone (``ats_aggregates.ats_indicators`` and ``open_ats_by_desa``, one session each), for
what the cases add. ``--quick``: 40 posyandu, 10,000 children (about 450 cases); ``--ats 0``:
no cases, for comparison.

    uv run python -m bench.education_indicators [--quick] [--children 220000] [--runs 200]
        [--cold 5] [--ats N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

import asyncpg

from bench.common import Report, percentile, quiet_kafka_logs
from bench.education_data import ATS_SHARE, load, tables
from simpul_education.app import MIGRATIONS, create_app
from simpul_education.ops import ats_aggregates
from simpul_education.ops.aggregates import Scope
from simpul_education.settings import EducationSettings
from simpul_platform.auth import mint_token
from simpul_platform.clock import local_today
from simpul_platform.db import Database
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.indicators import Period
from simpul_platform.migrations import upgrade
from simpul_platform.testing.asgi import running_app

KUKAR = "64.02"
TARGET_MS = 50.0


# --------------------------------------------------------------------------- timing


async def timed(
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


def show(report: Report, label: str, durations: list[float], target: bool) -> None:
    figures = {p: percentile(durations, p) for p in (50, 95, 99)}
    for p, value in figures.items():
        met = value <= TARGET_MS if target and p == 99 else None
        report.figure(
            f"{label} p{p} (n={len(durations)})",
            value,
            "ms",
            target=f"p99 ≤ {TARGET_MS:.0f} ms" if met is not None else None,
            met=met,
        )


async def measure(url: str, args: argparse.Namespace, places: list[str], report: Report) -> None:
    settings = EducationSettings(
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
    # No broker here: the app's topic creation retries in the background; its refused
    # connections are not the bench's news.
    quiet_kafka_logs()
    async with running_app(app) as client:
        for noisy in ("simpul.access", "httpx"):  # a line per request would drown the figures
            logging.getLogger(noisy).setLevel(logging.WARNING)
        cases = await admin.fetch("SELECT status, count(*) AS n FROM ats_case GROUP BY status")
        by_status = ", ".join(f"{r['n']:,} {r['status']}" for r in sorted(cases))
        report.note(f"ATS cases: {by_status or 'none'}")

        async def nothing(_: int) -> None:
            return None

        for period in (str(today.year), last_month):
            params = {"wilayah": KUKAR, "period": period}

            async def call(params: dict[str, str] = params) -> Any:
                response = await client.get("/v1/indicators", params=params, headers=headers)
                assert response.status_code == 200, response.text
                return response.json()

            async def drop_all(_: int) -> None:
                await admin.execute("DELETE FROM education_tally")

            async def drop_one(n: int) -> None:
                await admin.execute(
                    "DELETE FROM education_tally WHERE posyandu_id = $1", places[n % len(places)]
                )

            cold, answer = await timed(args.cold, drop_all, call)
            show(report, f"{period} cold (all {len(places)} posyandu counted)", cold, False)
            one, _ = await timed(args.runs, drop_one, call)
            show(report, f"{period} after one posyandu's write", one, True)
            warm, again = await timed(args.runs, nothing, call)
            show(report, f"{period} warm", warm, True)
            assert again == answer, "a warm answer differs from the cold one"
            brief = ", ".join(
                f"{v['code'].split('.')[-1]} {v['numerator']}/{v['denominator']}"
                for v in answer
                if v["code"].startswith("education.") and "referrals" not in v["code"]
            )
            report.note(f"{period}: {brief}")

        async def by_desa() -> Any:
            params = {"wilayah": KUKAR, "period": last_month}
            response = await client.get("/v1/summary/by-desa", params=params, headers=headers)
            assert response.status_code == 200, response.text
            return response.json()

        async def healthz() -> Any:
            return (await client.get("/healthz")).status_code

        rows, desa = await timed(args.runs, nothing, by_desa)
        show(report, f"{last_month} /v1/summary/by-desa warm ({len(desa)} desa)", rows, False)
        report.note(f"{last_month}: {sum(d['ats_open'] for d in desa):,} ATS cases open by desa")
        await ats_alone(app.state.db, args.runs, (str(today.year), last_month), today, report)
        floor, _ = await timed(args.runs, nothing, healthz)
        show(report, "/healthz (the app's own floor, for reference)", floor, False)
    await admin.close()


async def ats_alone(
    db: Database, runs: int, periods: tuple[str, str], today: date, report: Report
) -> None:
    """The ATS part of the reads above on its own (one session each): what the cases add."""
    scope = Scope([KUKAR])

    async def nothing(_: int) -> None:
        return None

    for label in periods:
        window = Period.parse(label)

        async def indicators(window: Period = window) -> Any:
            async with db.transaction() as session:
                return await ats_aggregates.ats_indicators(session, scope, window, today)

        durations, _ = await timed(runs, nothing, indicators)
        show(report, f"{label} ATS indicators alone (ats_indicators)", durations, False)
    as_of = min(Period.parse(periods[1]).end, today)

    async def by_desa() -> Any:
        async with db.transaction() as session:
            return await ats_aggregates.open_ats_by_desa(session, scope, as_of)

    durations, _ = await timed(runs, nothing, by_desa)
    show(report, f"{periods[1]} open ATS by desa alone (open_ats_by_desa)", durations, False)


async def main(args: argparse.Namespace) -> None:
    report = Report("education_indicators")
    posyandu, children = (40, 10_000) if args.quick else (827, args.children)
    ats = args.ats if args.ats is not None else round(children * ATS_SHARE)
    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    try:
        url = server.create_database("bench_education_indicators")
        started = time.perf_counter()
        today = local_today(EducationSettings(environment="development"))
        data = await asyncio.to_thread(tables, posyandu, children, ats, today)
        await upgrade(MIGRATIONS, url)
        await load(url, data)
        print(f"schema and data ready in {time.perf_counter() - started:.0f} s", flush=True)
        places = [row[0] for row in data["posyandu_replica"][1]]
        random.Random(7).shuffle(places)
        await measure(url, args, places, report)
    finally:
        server.stop()
    report.summary(f"{children:,} children on {posyandu} posyandu")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 posyandu, 10,000 children")
    parser.add_argument("--children", type=int, default=220_000)
    parser.add_argument("--runs", type=int, default=200, help="warm and after-one-write reads")
    parser.add_argument("--cold", type=int, default=5, help="reads after dropping every count")
    parser.add_argument(
        "--ats", type=int, default=None, help="about this many ATS cases (children ÷ 22)"
    )
    asyncio.run(main(parser.parse_args()))
