"""Indicator query benchmark: a kabupaten of 60,000 balita with 12 months of measurements.

Starts a temporary PostgreSQL, migrates the health schema (Alembic, as the service does), and
loads the data with COPY: ``devstack.population.generate_balita`` targets (75 per posyandu over
240 desa of 64.02), one measurement a month in 2025 for each child alive and under five
(8% absent, as in the demo), and adults (15+) with screenings for the SPM screening counts.
Z-scores are drawn around each child's own HAZ/WHZ (the queries only read them). Then it times
the queries the indicator endpoints run (``simpul_health.queries``) for a month, a quarter
and the year over the whole kabupaten, and prints p50/p99 and a digest of the results (equal
digests before and after a change mean equal answers).

``--areas`` adds a kecamatan, a desa and a posyandu (the smaller areas take other plans; the
digest then covers them too, so compare digests of runs with the same ``--areas``).
``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of every statement, once per query and
period. The tables are vacuumed after loading (as autovacuum would do in service), so that
index-only scans are measured as they run in production, not with every row's visibility
still to check in the table.

    uv run python -m bench.health_indicators [--balita 60000] [--runs 30]
        [--areas kabupaten,kecamatan,desa,posyandu] [--explain]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import Select
from sqlmodel.ext.asyncio.session import AsyncSession

from simpul_health.app import MIGRATIONS
from simpul_health.ops import balita_weighed as weighed
from simpul_health.ops import indicators as queries
from simpul_health.ops import latest_haz
from simpul_platform.db import Database
from simpul_platform.devstack.population import generate_balita
from simpul_platform.devstack.postgres import PostgresServer, ensure_postgres_installed
from simpul_platform.indicators import Period
from simpul_platform.migrations import upgrade

DESA = [f"64.02.{k:02d}.20{d:02d}" for k in range(1, 21) for d in range(1, 13)]
YEAR_END = date(2025, 12, 31)
KABUPATEN = queries.Area(wilayah="64.02")
AREAS = {
    "kabupaten": KABUPATEN,
    "kecamatan": queries.Area(wilayah="64.02.01"),
    "desa": queries.Area(wilayah=DESA[0]),
    "posyandu": queries.Area(posyandu_id=str(uuid.UUID(int=1))),  # in DESA[0]
}
PERIODS = ("2025-12", "2025-Q4", "2025")


def _codes(desa: str) -> tuple[str, str, str]:
    parts = desa.split(".")
    return desa, ".".join(parts[:3]), ".".join(parts[:2])


def _measurements(
    children: list[Any], rng: random.Random, *, year: int = 2025, months: int = 12
) -> list[tuple[Any, ...]]:
    """One measurement a month (months 1..``months`` of ``year``) of each child alive and
    under five that day, 8% absent."""
    now = datetime.now(UTC)
    rows = []
    for child in children:
        t = child.target
        desa, kec, kab = _codes(t["desa_code"])
        for month in range(1, months + 1):
            on = date(year, month, rng.randint(5, 25))
            age = (on - t["birth_date"]).days
            if age < 0 or age > 1826 or rng.random() < 0.08:
                continue
            haz = round(max(-4.5, min(3.0, child.haz + rng.gauss(0, 0.08))), 2)
            whz = round(child.whz + rng.gauss(0, 0.1), 2)
            waz = round(0.6 * haz + 0.8 * child.whz, 2)
            rows.append(
                (
                    str(uuid.UUID(int=rng.getrandbits(128))),
                    t["id"],
                    t["posyandu_id"],
                    desa,
                    kec,
                    kab,
                    on,
                    age,
                    t["sex"],
                    10.0,
                    80.0,
                    "standing",
                    80.0,
                    None,
                    None,
                    on.month in (2, 8),
                    False,
                    haz,
                    waz,
                    whz,
                    round(whz * 0.9, 2),
                    None,
                    None,
                    None,
                    rng.choice(("N", "T", None)),
                    False,
                    False,
                    "bench",
                    now,
                )
            )
    return rows


MEASUREMENT_COLUMNS = [
    "id",
    "target_id",
    "posyandu_id",
    "desa_code",
    "kecamatan_code",
    "kabupaten_code",
    "measured_on",
    "age_days",
    "sex",
    "weight_kg",
    "height_cm",
    "measure_position",
    "adjusted_length_cm",
    "muac_cm",
    "head_circumference_cm",
    "vitamin_a",
    "supplementary_food",
    "haz",
    "waz",
    "whz",
    "bmiz",
    "height_for_age",
    "weight_for_age",
    "weight_for_height",
    "growth",
    "growth_faltering",
    "confirmed_implausible",
    "created_by",
    "created_at",
]


def _adults(
    posyandu: list[tuple[str, str]],
    per_posyandu: int,
    rng: random.Random,
    *,
    year: int = 2025,
    months: int = 12,
) -> Any:
    """Adults registered as sasaran (15–80 years) and their screenings in months
    1..``months`` of ``year``."""
    year_end = date(year, 12, 31)
    now = datetime.now(UTC)
    targets, screenings = [], []
    serial = 0
    for pid, desa in posyandu:
        d, kec, kab = _codes(desa)
        for _ in range(per_posyandu):
            serial += 1
            tid = str(uuid.UUID(int=rng.getrandbits(128)))
            birth = year_end - timedelta(days=rng.randint(15 * 365 + 4, 80 * 365))
            targets.append(
                {
                    "id": tid,
                    "nik": f"9{serial:015d}",
                    "kk": None,
                    "name": f"Dewasa {serial}",
                    "sex": rng.choice("MF"),
                    "birth_date": birth,
                    "posyandu_id": pid,
                    "desa_code": d,
                    "kecamatan_code": kec,
                    "kabupaten_code": kab,
                    "person_ref": hashlib.sha256(tid.encode()).hexdigest(),
                    "household_ref": None,
                    "created_by": "bench",
                    "created_at": now,
                    "updated_by": "bench",
                    "updated_at": now,
                }
            )
            for month in rng.sample(range(1, months + 1), rng.choice((0, 1, 1, 2))):
                hyper, diab = rng.random() < 0.25, rng.random() < 0.1
                age = (date(year, month, 15) - birth).days // 365
                screenings.append(
                    (
                        str(uuid.UUID(int=rng.getrandbits(128))),
                        tid,
                        pid,
                        d,
                        kec,
                        kab,
                        date(year, month, rng.randint(1, 28)),
                        "usia_lanjut" if age >= 60 else "usia_produktif",
                        age,
                        150 if hyper else 120,
                        95 if hyper else 80,
                        210.0 if diab else 100.0,
                        "sewaktu",
                        None,
                        60.0,
                        160.0,
                        23.4,
                        hyper,
                        diab,
                        False,
                        False,
                        "rujuk" if hyper or diab else "none",
                        "bench",
                        now,
                        "bench",
                        now,
                    )
                )
    return targets, screenings


SCREENING_COLUMNS = [  # the screenings table's columns, in the rows' order
    "id", "target_id", "posyandu_id", "desa_code", "kecamatan_code", "kabupaten_code",
    "screened_on", "life_cycle_group", "age_years", "systolic", "diastolic", "glucose_mg_dl",
    "glucose_kind", "hb_g_dl", "weight_kg", "height_cm", "bmi", "hypertension", "diabetes",
    "anaemia", "obesity", "follow_up", "created_by", "created_at", "updated_by", "updated_at",
]  # fmt: skip


async def vacuum(connection: asyncpg.Connection, attempts: int = 10) -> None:
    """VACUUM ANALYZE until the tables' pages are all-visible, as autovacuum leaves them.

    A page is marked all-visible only when its rows are older than every open snapshot; an
    autoanalyze that started during the COPY holds one, so a single VACUUM may mark nothing
    and every index-only scan would then read the table too.
    """
    visible = 0.0
    for _ in range(attempts):
        await connection.execute("VACUUM ANALYZE")
        visible = await connection.fetchval(
            "SELECT min(relallvisible::float / greatest(relpages, 1)) FROM pg_class WHERE relname"
            " IN ('targets', 'measurements', 'screenings', 'balita_weighed', 'latest_haz')"
        )
        if visible > 0.99:
            return
        await asyncio.sleep(2)
    print(f"warning: only {visible:.0%} of some table's pages are all-visible")


async def load(url: str, balita: int, adults_per_posyandu: int) -> int:
    posyandu = [(str(uuid.UUID(int=i + 1)), DESA[i % len(DESA)]) for i in range(balita // 75)]
    children = generate_balita(posyandu, per_posyandu=75, end=YEAR_END, secret="bench")
    rng = random.Random(7)
    adults, screenings = _adults(posyandu, adults_per_posyandu, rng)
    targets = [c.target for c in children] + adults
    columns = list(targets[0])
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.copy_records_to_table(
            "targets", records=[tuple(t[c] for c in columns) for t in targets], columns=columns
        )
        measurements = _measurements(children, rng)
        await connection.copy_records_to_table(
            "measurements", records=measurements, columns=MEASUREMENT_COLUMNS
        )
        await connection.copy_records_to_table(
            "screenings", records=screenings, columns=SCREENING_COLUMNS
        )
        await weighed.rebuild_database(url)  # as the write path keeps it (the COPYs bypass it)
        await latest_haz.rebuild_database(url)
        await vacuum(connection)
    finally:
        await connection.close()
    print(
        f"loaded {len(children)} balita, {len(measurements)} measurements, "
        f"{len(adults)} adults, {len(screenings)} screenings"
    )
    return len(measurements)


def explaining(session: AsyncSession) -> None:
    """Make the session print EXPLAIN (ANALYZE, BUFFERS) before running each SELECT."""
    execute = session.execute

    async def explained(statement: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(statement, Select) and statement.get_final_froms():
            sql = statement.compile(
                dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
                compile_kwargs={"literal_binds": True},
            )
            plan = await execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))
            print("\n".join(f"    {line}" for (line,) in plan))
        return await execute(statement, *args, **kwargs)

    session.execute = explained  # type: ignore[method-assign]


async def time_queries(url: str, runs: int, areas: list[str], explain: bool = False) -> None:
    db = Database(url, 5)
    digest = hashlib.sha256()
    queries_to_run = {
        "stunting_counts": queries.stunting_counts,
        "stunting_by_desa": queries.stunting_by_desa,
        "spm_counts": queries.spm_counts,
    }
    try:
        for area_name in areas:
            area = AREAS[area_name]
            for label in PERIODS:
                period = Period.parse(label)
                for name, query in queries_to_run.items():
                    if explain:
                        print(f"EXPLAIN {name} {label} {area_name}:")
                        async with db.sessions() as session:
                            explaining(session)
                            await query(session, area, period)
                    timings = []
                    result: Any = None
                    for _ in range(runs + 1):  # the first run warms the cache, not counted
                        async with db.sessions() as session:
                            start = time.perf_counter()
                            result = await query(session, area, period)
                            timings.append((time.perf_counter() - start) * 1000)
                    timings = sorted(timings[1:])
                    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
                    # The kabupaten's entries are hashed as they always were, so that a
                    # default run's digest compares with those of earlier runs.
                    key = [label, name] if area is KABUPATEN else [area_name, label, name]
                    digest.update(json.dumps([*key, result], sort_keys=True).encode())
                    shown = result if name != "stunting_by_desa" else f"{len(result)} desa"
                    print(
                        f"{name:17} {label:8} {area_name:10} "
                        f"p50 {statistics.median(timings):7.1f} ms  p99 {p99:7.1f} ms  {shown}"
                    )
    finally:
        await db.dispose()
    print(f"results digest: {digest.hexdigest()[:16]}")


async def main(balita: int, runs: int, adults: int, areas: list[str], explain: bool) -> None:
    ensure_postgres_installed()
    server = PostgresServer()
    server.start()
    try:
        url = server.create_database("bench_indicators")
        started = time.perf_counter()
        await upgrade(MIGRATIONS, url)
        await load(url, balita, adults)
        print(f"schema and data ready in {time.perf_counter() - started:.0f} s")
        await time_queries(url, runs, areas, explain)
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--balita", type=int, default=60000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--adults-per-posyandu", type=int, default=100)
    parser.add_argument(
        "--areas",
        default="kabupaten",
        help=f"comma-separated, of {', '.join(AREAS)} (default: kabupaten)",
    )
    parser.add_argument("--explain", action="store_true", help="print each statement's plan")
    args = parser.parse_args()
    chosen = args.areas.split(",")
    if unknown := set(chosen) - set(AREAS):
        parser.error(f"unknown areas: {', '.join(sorted(unknown))}")
    asyncio.run(main(args.balita, args.runs, args.adults_per_posyandu, chosen, args.explain))
