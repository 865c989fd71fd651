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

from bench.bulk_load import Tables
from bench.housing_data import tables
from bench.indicator_timing import IndicatorBench
from simpul_housing.app import MIGRATIONS, create_app
from simpul_housing.settings import HousingSettings

BENCH = IndicatorBench(
    "housing_indicators",
    HousingSettings,
    create_app,
    MIGRATIONS,
    tally="housing_tally",
    noun="houses",
    quick=(40, 8_000),
    full=180_000,
)


def build(posyandu: int, houses: int, _: argparse.Namespace) -> Tables:
    return tables(posyandu, houses, BENCH.today())


if __name__ == "__main__":
    BENCH.main(__doc__, build)
