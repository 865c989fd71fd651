"""Trantib's indicators at Kutai Kartanegara's size: ``/v1/indicators?wilayah=64.02`` for a
year and a month, through the real app, cold and warm.

Starts a temporary PostgreSQL, migrates trantib's schema (Alembic, as the service does) and
COPY-loads, with a seeded generator (``bench.trantib_data``): the demo population's 827 Kukar
posyandu in the posyandu replica; a point for every desa (most within a WMK); a year of
incidents up to today, half fires (responses of 5 to 25 minutes, a tenth with no arrival) and
half public-order reports (most closed); 40 disasters; hazard zones and the year's outreach.

Then, with the app in this process (``create_app``, relay and consumers off, no broker) called
over httpx's ASGI transport as a DPMD user of 64.02, for the year (its year to date, kept at
the current month) and the last full month (that month's own counts):

- **cold**: the first read after every kept count was dropped (``DELETE FROM trantib_tally``):
  the whole kabupaten counted again, ``--cold`` times;
- **after one write**: one posyandu's counts dropped (what a fire or a report does), then a
  read, ``--runs`` times (a different posyandu each time);
- **warm**: the counts all kept, ``--runs`` times.

p50/p95/p99 of each, beside the target (p99 ≤ 50 ms for the warm and after-one-write reads);
also ``/v1/summary/by-desa`` for the month. ``--quick``: 40 posyandu, 2,000 incidents.

    uv run python -m bench.trantib_indicators [--quick] [--incidents 40000] [--runs 200]
"""

from __future__ import annotations

import argparse

from bench.bulk_load import Tables
from bench.indicator_timing import IndicatorBench
from bench.trantib_data import tables
from simpul_trantib.app import MIGRATIONS, create_app
from simpul_trantib.settings import TrantibSettings

BENCH = IndicatorBench(
    "trantib_indicators",
    TrantibSettings,
    create_app,
    MIGRATIONS,
    tally="trantib_tally",
    noun="incidents",
    quick=(40, 2_000),
    full=40_000,
)


def build(posyandu: int, incidents: int, _: argparse.Namespace) -> Tables:
    return tables(posyandu, incidents, BENCH.today())


if __name__ == "__main__":
    BENCH.main(__doc__, build)
