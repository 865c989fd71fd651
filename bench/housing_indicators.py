"""Housing's indicators at Kutai Kartanegara's size: ``/v1/indicators?wilayah=64.02`` for a
year and a month, through the real app, cold and warm.

Starts a temporary PostgreSQL, migrates housing's schema (Alembic, as the service does) and
COPY-loads, with a seeded generator (``bench.housing_data``): the demo population's 827 Kukar
posyandu in the posyandu replica; 180,000 houses over them with their households, RTLH surveys
of six in seven (a fifth surveyed twice), RTLH cases, disaster-damaged units and relocated
households of this year and last, and stunted children's households.

Then, with the app in this process (``create_app``, relay and consumers off, no broker) called
over httpx's ASGI transport as a DPMD user of 64.02, for the year (counted at the current
month's end) and the last full month (counted at its end: a house surveyed since is classified
from its history):

- **cold**: the first read after every kept count was dropped (``DELETE FROM housing_tally``):
  the whole kabupaten counted again, ``--cold`` times;
- **after one write**: one posyandu's counts dropped (what a house or a survey does), then a
  read, ``--runs`` times (a different posyandu each time);
- **warm**: the counts all kept, ``--runs`` times.

p50/p95/p99 of each, beside the target (p99 ≤ 50 ms for the warm and after-one-write reads);
also ``/v1/summary/by-desa`` for the month. ``--quick``: 40 posyandu, 8,000 houses.

    uv run python -m bench.housing_indicators [--quick] [--houses 180000] [--runs 200] [--cold 5]
"""

from __future__ import annotations

import argparse
import asyncio
from functools import partial

from bench.common import Report
from bench.housing_data import tables
from bench.indicator_timing import add_read_options, loaded_database, read_settings, reading
from simpul_housing.app import MIGRATIONS, create_app
from simpul_housing.settings import HousingSettings
from simpul_platform.clock import local_today


async def measure(url: str, args: argparse.Namespace, places: list[str], report: Report) -> None:
    async with reading(read_settings(HousingSettings, url), create_app) as reads:
        await reads.indicators(
            report, tally="housing_tally", places=places, runs=args.runs, cold=args.cold
        )
        await reads.by_desa(report, args.runs)


async def main(args: argparse.Namespace) -> None:
    report = Report("housing_indicators")
    posyandu, houses = (40, 8_000) if args.quick else (827, args.houses)
    today = local_today(HousingSettings(environment="development"))
    build = partial(tables, posyandu, houses, today)
    async with loaded_database("bench_housing_indicators", MIGRATIONS, build) as (url, places):
        await measure(url, args, places, report)
    report.summary(f"{houses:,} houses on {posyandu} posyandu")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="40 posyandu, 8,000 houses")
    parser.add_argument("--houses", type=int, default=180_000)
    add_read_options(parser)
    asyncio.run(main(parser.parse_args()))
