"""Education's indicators at Kutai Kartanegara's size: ``/v1/indicators?wilayah=64.02`` for a
year and a month, through the real app, cold and warm.

Starts a temporary PostgreSQL, migrates education's schema (Alembic, as the service does) and
COPY-loads, with a seeded generator: the demo population's 827 Kukar posyandu
(``devstack.population.generate_kukar``: real desa codes) in the posyandu replica; 220,000
children 0–18 (birth dates spread evenly over 19 years, one to three per No. KK) spread over
them; a year of statuses (each child one to three, dated in the twelve months before today,
by age: not_school_age / PAUD / SD / SMP / SMA-SMK, some out of school or in Paket A/B/C; the
child's current status the last of them, as ``record_status`` keeps it); and a DTSEN decile
for four households in five (``household_decile``, as social's events would leave it).

Then, with the app in this process (``create_app``, relay and consumers off) called over
httpx's ASGI transport as a DPMD user of 64.02, for the year (counted at the current month's
end) and the last full month (counted at its end: statuses after it are looked up in the
history):

- **cold**: the first read after every kept count was dropped (``DELETE FROM education_tally``):
  the whole kabupaten counted again, ``--cold`` times;
- **after one write**: one posyandu's counts dropped (what a status write does), then a read,
  ``--runs`` times (a different posyandu each time);
- **warm**: the counts all kept, ``--runs`` times.

p50/p95/p99 of each, beside the target (p99 ≤ 50 ms for the warm and after-one-write reads).
``--quick``: 40 posyandu, 10,000 children.

    uv run python -m bench.education_indicators [--quick] [--children 220000] [--runs 200]
        [--cold 5]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from bench.common import Report, percentile
from simpul_education.app import MIGRATIONS, create_app
from simpul_education.settings import EducationSettings
from simpul_platform.auth import mint_token
from simpul_platform.clock import local_today
from simpul_platform.devstack.population import generate_kukar
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.migrations import upgrade
from simpul_platform.testing.asgi import running_app

KUKAR = "64.02"
TARGET_MS = 50.0
NOW = datetime.now(UTC)


# --------------------------------------------------------------------------- data


def _status_at(age: int, rng: random.Random) -> tuple[str, int | None]:
    """A plausible status (and kelas) for a child of ``age``."""
    if age < 3:
        return "not_school_age", None
    if age <= 6:
        return (
            ("paud", None) if rng.random() < (0.3 if age < 5 else 0.7) else ("not_school_age", None)
        )
    if rng.random() < 0.05:
        return rng.choice(("out_of_school", "paket_a", "paket_b", "paket_c")), None
    if age <= 12:
        return "sd", min(6, max(1, age - 6))
    if age <= 15:
        return "smp", min(9, max(7, age - 6))
    return rng.choice(("sma", "smk")), min(12, max(10, age - 6))


def _children(
    places: list[tuple[str, str]], count: int, today: date, rng: random.Random
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[str]]:
    """(child rows, child_status rows, household refs)."""
    children, statuses, households = [], [], []
    span = (today - date(today.year - 19, today.month, 1)).days - 1
    kk_left, kk_ref = 0, ""
    for n in range(count):
        pid, desa = places[n % len(places)]
        if kk_left == 0:
            kk_left, kk_ref = rng.randint(1, 3), hashlib.sha256(f"kk{n}".encode()).hexdigest()
            households.append(kk_ref)
        kk_left -= 1
        born = today - timedelta(days=rng.randint(0, span))
        child_id = str(uuid.UUID(int=rng.getrandbits(128)))
        last: tuple[str, date] | None = None
        on = max(born, today - timedelta(days=rng.randint(200, 365)))
        for _ in range(rng.randint(1, 3)):
            if on > today:
                break
            status, kelas = _status_at((on - born).days // 365, rng)
            statuses.append(
                (
                    str(uuid.UUID(int=rng.getrandbits(128))),
                    child_id,
                    status,
                    kelas,
                    "kader_census",
                    on,
                    "bench",
                    NOW,
                    status if status not in ("not_school_age", "out_of_school") else None,
                )
            )
            last = (status, on)
            on += timedelta(days=rng.randint(60, 200))
        nik = f"{n:016d}"
        children.append(
            (
                child_id,
                nik,
                nik,
                hashlib.sha256(nik.encode()).hexdigest(),
                kk_ref,
                f"Anak {n}",
                rng.choice("LP"),
                born,
                pid,
                desa,
                last[0] if last else None,
                last[1] if last else None,
                "bench",
                NOW,
                "bench",
                NOW,
            )
        )
    return children, statuses, households


CHILD_COLUMNS = [
    "id", "nik", "kk", "person_ref", "household_ref", "name", "sex", "birth_date",
    "posyandu_id", "desa_code", "status", "status_on", "created_by", "created_at",
    "updated_by", "updated_at",
]  # fmt: skip
STATUS_COLUMNS = [
    "id", "child_id", "status", "kelas", "source", "on", "recorded_by", "recorded_at", "jenjang",
]  # fmt: skip


def tables(posyandu: int, children: int, today: date) -> dict[str, tuple[list[str], list[Any]]]:
    rng = random.Random(64_02)
    places = [
        (str(uuid.UUID(int=i + 1)), p.desa_code)
        for i, p in enumerate(generate_kukar(count=posyandu))
    ]
    kids, statuses, households = _children(places, children, today, rng)
    replica = [
        (
            pid,
            f"Posyandu {pid[-4:]}",
            desa,
            desa[:8],
            desa[:5],
            "registered",
            "education",
            NOW,
            pid,
            NOW,
        )
        for pid, desa in places
    ]
    deciles = [
        (
            ref,
            rng.randint(1, 10),
            "dtsen",
            today - timedelta(days=90),
            places[0][0],
            places[0][1],
            ref[:32],
            NOW,
        )
        for ref in households
        if rng.random() < 0.8
    ]
    return {
        "posyandu_replica": (
            ["posyandu_id", "name", "desa_code", "kecamatan_code", "kabupaten_code", "status",
             "fields", "last_event_at", "last_event_id", "updated_at"],
            replica,
        ),
        "child": (CHILD_COLUMNS, kids),
        "child_status": (STATUS_COLUMNS, statuses),
        "household_decile": (
            ["household_ref", "decile", "source", "assessed_on", "posyandu_id", "desa_code",
             "last_event_id", "updated_at"],
            deciles,
        ),
    }  # fmt: skip


async def load(url: str, data: dict[str, tuple[list[str], list[Any]]]) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for table, (columns, rows) in data.items():
            await connection.copy_records_to_table(table, records=rows, columns=columns)
        await connection.execute("VACUUM ANALYZE")  # as autovacuum would leave it
    finally:
        await connection.close()
    print("loaded " + ", ".join(f"{len(rows):,} {table}" for table, (_, rows) in data.items()))


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
    )
    today = local_today(settings)
    last_month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    token = mint_token(settings, "bench-dpmd", ["dpmd"], [KUKAR])
    headers = {"Authorization": f"Bearer {token}"}
    admin = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    async with running_app(create_app(settings)) as client:
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
        floor, _ = await timed(args.runs, nothing, healthz)
        show(report, "/healthz (the app's own floor, for reference)", floor, False)
    await admin.close()


async def main(args: argparse.Namespace) -> None:
    report = Report("education_indicators")
    posyandu, children = (40, 10_000) if args.quick else (827, args.children)
    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    try:
        url = server.create_database("bench_education_indicators")
        started = time.perf_counter()
        today = local_today(EducationSettings(environment="development"))
        data = await asyncio.to_thread(tables, posyandu, children, today)
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
    asyncio.run(main(parser.parse_args()))
