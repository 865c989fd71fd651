"""Scale: all six fields at Kutai Kartanegara's size, the kabupaten scorecard and the priority
loci, month and year, at 1 and 16 concurrent clients; a write's way to the scorecard; the
dashboard's scorecard page in Chromium; with ``--province``, Kalimantan Timur's scorecard.

The data (``bench.scale_load``): every field's own benchmark generator on the demo
population's 827 Kukar posyandu — health's 60,000 balita with a year of monthly weighings,
immunisations, 82,700 adults with their screenings, births, school-age children and
programmes (``bench.health_spm_data``); education's 220,000 children 0–18 with statuses and
ATS cases; social's ~180,000 DTSEN households with a year of bansos, priority cases and PPKS;
housing's 180,000 houses with RTLH surveys and cases; public works' 180,000 households with
WASH surveys and infrastructure issues; trantib's 40,000 fires and public-order reports,
disasters and hazard zones. COPY-loaded into the running services' databases; health's kept
counts rebuilt as after a bulk load; the other fields' kept counts fill on their first read
(timed as "first read").

Then, with registry, the six fields and the gateway running, for the last full month and the
year: each field's ``/v1/indicators`` (the gateway's fan-out, to see which field is slow) at 1
and 16 clients, the gateway's ``/v1/scorecard?wilayah=64.02`` at 1 and 16 clients, the fields'
by-desa routes and the gateway's ``/v1/priority-loci`` at 1 client; then a bansos write's time
to the scorecard (``bench.scale_write``) and the Capaian page in Chromium
(``bench.scale_page``). ``--province`` also loads Kaltim's other nine kabupaten/kota
(``bench.scale_province``) and times ``/v1/scorecard?wilayah=64``. Every gateway answer is
checked for every field's rows. See bench/SCALE.md for the national projection.

    uv run python -m bench.scale [--quick] [--province] [--requests 30] [--clients 16]
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta
from typing import Any

from bench import scale_page, scale_province
from bench.common import KUKAR, TODAY, Infra, Report, parser, quiet_kafka_logs
from bench.scale_load import FIELDS, Sizes, database_sizes, load_all
from bench.scale_timing import (
    LOCI_ROUTES,
    SCORECARD_ROUTE,
    Partial,
    http_client,
    load_average,
    show,
    timed,
)
from bench.scale_write import write_to_scorecard
from simpul_platform.testing.stack import Stack

SCORECARD_1_MS, SCORECARD_MANY_MS, LOCI_MS, PROVINCE_MS, WRITE_MS = 150, 400, 300, 1000, 2000


class Scale:
    """The reads of one run, on one stack, printed as they come."""

    def __init__(self, report: Report, stack: Stack, requests: int, clients: int) -> None:
        self.report, self.stack = report, stack
        self.requests, self.clients = requests, clients
        self.many = clients * max(2, requests // 4)
        self.partial = Partial()

    async def fields(self, client: Any, route: str, period: str, clients: int, fields: Any) -> None:
        """Each field's own route, as the gateway calls it: its first read (which fills the
        kept counts of a field that keeps them on read), then warm."""
        for field in fields:
            url = f"{self.stack.url(field)}{route}"
            params = {"wilayah": KUKAR, "period": period}
            requests = self.requests if clients == 1 else self.many
            f = await timed(client, url, params, requests=requests, clients=clients)
            if clients == 1:
                self.report.figure(f"{field} {route} {period} first read", f["first"], "ms")
            show(self.report, f"{field} {route} {period}, {clients} client(s)", f)

    async def gateway(self, client: Any, period: str) -> None:
        url = f"{self.stack.url('gateway')}/v1/scorecard"
        params = {"wilayah": KUKAR, "period": period}
        for clients, target in ((1, SCORECARD_1_MS), (self.clients, SCORECARD_MANY_MS)):
            name = f"gateway scorecard {period}, {clients} client(s)"
            requests = self.requests if clients == 1 else self.many
            f = await timed(
                client, url, params, requests=requests, clients=clients,
                check=self.partial.scorecard(name),
            )  # fmt: skip
            show(self.report, name, f, target)

    async def loci(self, client: Any, period: str) -> None:
        for field, route in LOCI_ROUTES.items():
            url = f"{self.stack.url(field)}{route}"
            f = await timed(
                client, url, {"wilayah": KUKAR, "period": period}, requests=self.requests
            )
            show(self.report, f"{field} {route} {period}, 1 client", f)
        name = f"gateway priority loci {period}, 1 client"
        url = f"{self.stack.url('gateway')}/v1/priority-loci"
        f = await timed(
            client, url, {"wilayah": KUKAR, "period": period}, requests=self.requests,
            check=self.partial.loci(name),
        )  # fmt: skip
        show(self.report, name, f, LOCI_MS)

    async def run(self, month: str, year: str, writes: int) -> None:
        async with http_client(self.clients) as client:
            for period in (month, year):
                self.report.note(f"{period}: {load_average()}")
                await self.fields(client, SCORECARD_ROUTE, period, 1, FIELDS)
                await self.gateway(client, period)
                await self.fields(client, SCORECARD_ROUTE, period, self.clients, FIELDS)
                await self.loci(client, period)
            s = self.stack
            f = await write_to_scorecard(
                client, s.url("social"), s.url("gateway"), s.databases["social"], month, writes
            )
            show(self.report, f"bansos write → scorecard {month}", f, WRITE_MS)

    async def province(self, month: str, year: str) -> None:
        async with http_client(self.clients) as client:
            for period in (month, year):
                self.report.note(f"{period}: {load_average()}")
                await scale_province.time_scorecard(
                    self.report, client, self.stack, period, self.requests, PROVINCE_MS,
                    self.partial,
                )  # fmt: skip

    def partial_answers(self) -> None:
        missing = self.partial.total
        self.report.figure(
            "gateway answers missing a field", missing, "", target="0", met=missing == 0
        )
        for name, by_field in self.partial.seen.items():
            self.report.note(f"partial: {name}: {by_field}")
        self.partial = Partial()  # the next part's counted afresh


def sizes_of(report: Report, urls: dict[str, str]) -> None:
    for field, size in asyncio.run(database_sizes(urls)).items():
        report.figure(f"{field} database", size / 2**20, "MiB")


def main() -> None:
    args = parser(__doc__.splitlines()[0])
    Sizes.add_options(args)
    args.add_argument("--requests", type=int, default=None, help="calls at 1 client (30)")
    args.add_argument("--clients", type=int, default=16)
    args.add_argument("--writes", type=int, default=None, help="writes timed to the scorecard")
    args.add_argument("--page-runs", type=int, default=None, help="Capaian page visits (5)")
    args.add_argument("--province", action="store_true", help="also Kaltim's 9 other kabupaten")
    args.add_argument(
        "--province-records",
        type=float,
        default=1.0,
        help="their records per posyandu as a share of Kukar's (1: the same density)",
    )
    options = args.parse_args()
    sizes = Sizes.of(options)
    requests = options.requests or (10 if options.quick else 30)
    writes = options.writes or (3 if options.quick else 10)
    page_runs = options.page_runs or (2 if options.quick else 5)
    quiet_kafka_logs()
    report = Report("scale")
    report.note(f"{os.cpu_count()} cores, {load_average()} at the start; {sizes}")
    month = f"{TODAY.replace(day=1) - timedelta(days=1):%Y-%m}"
    year = f"{TODAY.replace(day=1) - timedelta(days=1):%Y}"
    with Infra() as infra:
        stack = infra.stack("registry", *FIELDS, "gateway")
        urls = {field: stack.databases[field] for field in FIELDS}
        started = time.perf_counter()
        asyncio.run(load_all(report, urls, sizes, TODAY))
        report.figure("loading Kukar, six fields", time.perf_counter() - started, "s")
        sizes_of(report, urls)
        scale = Scale(report, stack, requests, options.clients)
        asyncio.run(scale.run(month, year, writes))
        if page_runs:
            asyncio.run(scale_page.capaian(report, stack.url("gateway"), month, page_runs))
        scale.partial_answers()
        if options.province:  # after Kukar's figures: they are a kabupaten's own
            started = time.perf_counter()
            records = options.province_records
            asyncio.run(scale_province.load_others(report, urls, sizes, TODAY, records))
            report.figure("loading 9 more kabupaten/kota", time.perf_counter() - started, "s")
            sizes_of(report, urls)
            asyncio.run(scale.province(month, year))
            scale.partial_answers()
    report.note(f"{load_average()} at the end")
    report.summary(f"six fields on {sizes.posyandu} posyandu of {KUKAR}")


if __name__ == "__main__":
    main()
