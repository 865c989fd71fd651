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

from bench.bulk_load import Tables
from bench.indicator_timing import IndicatorBench
from bench.public_works_data import tables
from simpul_public_works.app import MIGRATIONS, create_app
from simpul_public_works.settings import PublicWorksSettings

BENCH = IndicatorBench(
    "public_works_indicators",
    PublicWorksSettings,
    create_app,
    MIGRATIONS,
    tally="public_works_tally",
    noun="households",
    quick=(40, 8_000),
    full=180_000,
)


def build(posyandu: int, households: int, _: argparse.Namespace) -> Tables:
    return tables(posyandu, households, households // 36, BENCH.today())


if __name__ == "__main__":
    BENCH.main(__doc__, build)
