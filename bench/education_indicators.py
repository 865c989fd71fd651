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
events would leave it). The generator is ``bench.education_data``'s, the loader
``bench.bulk_load``'s.

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
from datetime import date
from typing import Any

from bench.bulk_load import Tables
from bench.common import Report
from bench.education_data import ATS_SHARE, tables
from bench.indicator_timing import (
    KUKAR,
    Indicator,
    IndicatorBench,
    Reads,
    nothing,
    show_times,
    time_calls,
)
from simpul_education.app import MIGRATIONS, create_app
from simpul_education.ops import ats_aggregates
from simpul_education.ops.aggregates import Scope
from simpul_education.settings import EducationSettings
from simpul_platform.db import Database
from simpul_platform.indicators import Period


def brief(answer: list[Indicator]) -> str:
    """Education's own indicators (not the referral counts every field answers with)."""
    return ", ".join(
        f"{v['code'].split('.')[-1]} {v['numerator']}/{v['denominator']}"
        for v in answer
        if v["code"].startswith("education.") and "referrals" not in v["code"]
    )


BENCH = IndicatorBench(
    "education_indicators",
    EducationSettings,
    create_app,
    MIGRATIONS,
    tally="education_tally",
    noun="children",
    quick=(40, 10_000),
    full=220_000,
)


async def measure(
    reads: Reads, report: Report, places: list[str], args: argparse.Namespace
) -> None:
    """The ATS cases by status, the indicators' loops, the by-desa summary with its open ATS
    cases, the ATS queries alone and the app's own floor."""
    cases = await reads.admin.fetch("SELECT status, count(*) AS n FROM ats_case GROUP BY status")
    by_status = ", ".join(f"{r['n']:,} {r['status']}" for r in sorted(cases))
    report.note(f"ATS cases: {by_status or 'none'}")
    await reads.indicators(
        report, tally=BENCH.tally, places=places, runs=args.runs, cold=args.cold, brief=brief
    )
    desa = await reads.by_desa(report, args.runs)
    report.note(f"{reads.last_month}: {sum(d['ats_open'] for d in desa):,} ATS cases open by desa")
    await ats_alone(reads, args.runs, report)
    await healthz(reads, args.runs, report)


async def healthz(reads: Reads, runs: int, report: Report) -> None:
    async def call() -> Any:
        return (await reads.client.get("/healthz")).status_code

    floor, _ = await time_calls(runs, nothing, call)
    show_times(report, "/healthz (the app's own floor, for reference)", floor, False)


async def ats_alone(reads: Reads, runs: int, report: Report) -> None:
    """The ATS part of the reads above on its own (one session each): what the cases add."""
    db: Database = reads.app.state.db
    today: date = reads.today
    periods = (str(today.year), reads.last_month)
    scope = Scope([KUKAR])
    for label in periods:
        window = Period.parse(label)

        async def indicators(window: Period = window) -> Any:
            async with db.transaction() as session:
                return await ats_aggregates.ats_indicators(session, scope, window, today)

        durations, _ = await time_calls(runs, nothing, indicators)
        show_times(report, f"{label} ATS indicators alone (ats_indicators)", durations, False)
    as_of = min(Period.parse(periods[1]).end, today)

    async def by_desa() -> Any:
        async with db.transaction() as session:
            return await ats_aggregates.open_ats_by_desa(session, scope, as_of)

    durations, _ = await time_calls(runs, nothing, by_desa)
    show_times(report, f"{periods[1]} open ATS by desa alone (open_ats_by_desa)", durations, False)


def build(posyandu: int, children: int, args: argparse.Namespace) -> Tables:
    ats = args.ats if args.ats is not None else round(children * ATS_SHARE)
    return tables(posyandu, children, ats, BENCH.today())


def ats_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ats", type=int, default=None, help="about this many ATS cases (children ÷ 22)"
    )


if __name__ == "__main__":
    BENCH.main(__doc__, build, measure, ats_option)
